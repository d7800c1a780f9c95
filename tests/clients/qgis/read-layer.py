#!/usr/bin/python3
"""QGIS (Debian's python3-qgis + qgis-providers, 3.22) adds an ArcGIS feature layer the way a desktop user does: the
`arcgisfeatureserver` provider, the token in an "ESRI token" authentication configuration (auth method EsriToken,
config key "token"), which QGIS sends as `X-Esri-Authorization: Bearer <token>` on every request
(https://github.com/qgis/QGIS/blob/final-3_22_16/src/auth/esritoken/qgsauthesritokenmethod.cpp).

Headless and self-contained: offscreen Qt, a fresh profile and authentication database in a temporary folder, a
master password set here, so nothing depends on (or is written to) the user's QGIS profile and nothing prompts.

  LAYER_URL    the layer, e.g. http://127.0.0.1:5123/arcgis/rest/services/Demo/FeatureServer/0
  ESRI_TOKEN   the token (optional: without it the layer is added with no authentication configuration)
  BASIC_USER, BASIC_PASSWORD   instead of a token, a "Basic" authentication configuration (HTTP Basic), the only way
               QGIS 3.22 takes a username and password for an ArcGIS layer: it never calls generateToken

Prints one JSON line {"script","qgis","valid","featureCount","names","errors"} and exits 0 whenever QGIS ran, valid
layer or not: the caller judges. The token is never printed.
"""
import json
import os
import shutil
import tempfile

profile = tempfile.mkdtemp(prefix="status499-qgis-")
os.environ.update({
    "QT_QPA_PLATFORM": "offscreen",
    "HOME": profile,
    "XDG_RUNTIME_DIR": profile,
    "QGIS_AUTH_DB_DIR_PATH": profile,
    "QGIS_CUSTOM_CONFIG_PATH": profile,
})

from qgis.core import Qgis, QgsApplication, QgsAuthMethodConfig, QgsVectorLayer  # noqa: E402

app = QgsApplication([], False)
app.initQgis()
try:
    uri = "url='%s'" % os.environ["LAYER_URL"]
    token = os.environ.get("ESRI_TOKEN", "")
    user = os.environ.get("BASIC_USER", "")
    if token or user:
        auth = QgsApplication.authManager()
        # A new database takes the first master password it is given (verify=True stores its hash).
        if not auth.setMasterPassword("status499-throwaway-profile", True):
            raise RuntimeError("could not set the master password of the temporary authentication database")
        if token:
            config = QgsAuthMethodConfig("EsriToken")
            config.setConfig("token", token)
        else:
            config = QgsAuthMethodConfig("Basic")
            config.setConfig("username", user)
            config.setConfig("password", os.environ.get("BASIC_PASSWORD", ""))
        config.setName("status499")
        if not auth.storeAuthenticationConfig(config):
            raise RuntimeError("could not store the authentication configuration")
        uri += " authcfg=%s" % config.id()

    layer = QgsVectorLayer(uri, "demo", "arcgisfeatureserver")
    valid = layer.isValid()
    provider = layer.dataProvider()
    print(json.dumps({
        "script": "qgis/read-layer.py",
        "qgis": Qgis.QGIS_VERSION,
        "valid": valid,
        "featureCount": layer.featureCount() if valid else None,
        "names": [f["NAME"] for f in layer.getFeatures()] if valid else [],
        # What the server said, in QGIS's words ("Error 499: Token Required"): the provider's pushError()s. The layer's
        # own error() says only "getLayerInfo failed" (and QgsError.summary() crashes 3.22 when it is empty).
        "errors": provider.errors() if provider is not None else [],
    }), flush=True)
finally:
    app.exitQgis()
    shutil.rmtree(profile, ignore_errors=True)

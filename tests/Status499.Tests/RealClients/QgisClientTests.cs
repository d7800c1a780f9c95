using Status499.Tests.Samples;

namespace Status499.Tests.RealClients;

// QGIS 3.22 (Debian's python3-qgis) against the demo's token-protected feature service, the way a desktop user adds
// the layer: the arcgisfeatureserver provider with the token in an EsriToken authentication configuration, which
// QGIS sends as X-Esri-Authorization: Bearer on the layer's three requests (layer info, returnIdsOnly query, objectIds
// query). QGIS reads an ArcGIS error body as the provider's error "Error <code>: <message>" and the layer is invalid.
[Collection(RealClientsGroup.Name)]
public sealed class QgisClientTests(DemoFeatureServiceFixture fixture) : IClassFixture<DemoFeatureServiceFixture>
{
    private static readonly string[] DemoPlaces =
    [
        "Smiley Library", "Redlands Bowl", "Kimberly Crest", "Prospect Park", "Redlands Depot", "University of Redlands",
        "Sylvan Park", "Ford Park", "Caroline Park", "Esri Campus", "Redlands City Hall", "Israel Beal Park",
    ];

    private string LayerUrl => fixture.Sample.Url + "/arcgis/rest/services/Demo/FeatureServer/0";

    [Fact]
    public async Task Qgis_loads_the_layer_with_a_generateToken_token_in_an_EsriToken_auth_config()
    {
        var token = await fixture.GenerateTokenAsync();

        var read = await QgisTool.ReadLayerAsync(LayerUrl, token);

        read.Valid.Should().BeTrue(read.ToString());
        read.FeatureCount.Should().Be(12, read.ToString());
        read.Names.Should().Equal(DemoPlaces);
        read.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task Qgis_finds_the_layer_invalid_with_the_499_without_a_token_and_the_498_with_a_bad_one()
    {
        var without = await QgisTool.ReadLayerAsync(LayerUrl, token: null);
        var bad = await QgisTool.ReadLayerAsync(LayerUrl, "not-a-token-" + Guid.NewGuid().ToString("N"));

        without.Valid.Should().BeFalse(without.ToString());
        without.Errors.Should().Equal(["Error 499: Token Required"], without.ToString());
        bad.Valid.Should().BeFalse(bad.ToString());
        bad.Errors.Should().Equal(["Error 498: Invalid token."], bad.ToString());
    }

    [Fact]
    public async Task Qgis_with_the_demo_user_in_a_Basic_auth_config_gets_the_499_as_it_never_signs_in_at_generateToken()
    {
        // QGIS 3.22 sends a username and password only as Authorization: Basic (src/auth/basic/qgsauthbasicmethod.cpp),
        // which is not a token: a user pastes a token from generateToken into an EsriToken config instead.
        var read = await QgisTool.ReadLayerWithBasicAuthAsync(LayerUrl, "demo", fixture.Password);

        read.Valid.Should().BeFalse(read.ToString());
        read.Errors.Should().Equal(["Error 499: Token Required"], read.ToString());
    }
}

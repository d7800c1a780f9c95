using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Status499.Benchmarks;

// The service behind every mode of run-gateway-compare.sh: an unsecured ArcGIS-like FeatureServer whose layer 0 query
// answers five point features (about 1.2 KB of JSON, the shape of an ArcGIS Server query response with f=json:
// https://developers.arcgis.com/rest/services-reference/enterprise/query-feature-service-layer/). The body is encoded
// once, so the upstream costs the same in every mode and as little as it can.
public static class FeatureQueryUpstream
{
    public const string QueryPath = "/arcgis/rest/services/Demo/FeatureServer/0/query";

    private static readonly byte[] s_body = Encoding.UTF8.GetBytes("""
        {"objectIdFieldName":"OBJECTID","uniqueIdField":{"name":"OBJECTID","isSystemMaintained":true},"globalIdFieldName":"",
        "geometryType":"esriGeometryPoint","spatialReference":{"wkid":4326,"latestWkid":4326},
        "fields":[{"name":"OBJECTID","type":"esriFieldTypeOID","alias":"OBJECTID","sqlType":"sqlTypeOther","domain":null,"defaultValue":null},
        {"name":"NAME","type":"esriFieldTypeString","alias":"Name","sqlType":"sqlTypeOther","length":64,"domain":null,"defaultValue":null},
        {"name":"CATEGORY","type":"esriFieldTypeString","alias":"Category","sqlType":"sqlTypeOther","length":32,"domain":null,"defaultValue":null}],
        "features":[
        {"attributes":{"OBJECTID":1,"NAME":"Smiley Park","CATEGORY":"park"},"geometry":{"x":-117.1956,"y":34.0564}},
        {"attributes":{"OBJECTID":2,"NAME":"Prospect Park","CATEGORY":"park"},"geometry":{"x":-117.1825,"y":34.0554}},
        {"attributes":{"OBJECTID":3,"NAME":"Redlands Bowl","CATEGORY":"venue"},"geometry":{"x":-117.1818,"y":34.0526}},
        {"attributes":{"OBJECTID":4,"NAME":"A. K. Smiley Library","CATEGORY":"library"},"geometry":{"x":-117.1867,"y":34.0560}},
        {"attributes":{"OBJECTID":5,"NAME":"Sylvan Park","CATEGORY":"park"},"geometry":{"x":-117.1669,"y":34.0610}}]}
        """.ReplaceLineEndings(string.Empty));

    public static async Task RunAsync(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        app.MapGet(QueryPath, static (HttpContext context) =>
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = s_body.Length;
            return context.Response.Body.WriteAsync(s_body).AsTask();
        });
        await app.RunAsync();
    }
}

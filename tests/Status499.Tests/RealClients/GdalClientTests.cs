using System.Text.Json;
using Status499.Tests.Samples;

namespace Status499.Tests.RealClients;

// GDAL's command-line tools (Debian's gdal-bin: ogrinfo, ogr2ogr) against the demo's token-protected feature
// service, the way a GIS user points them at an ArcGIS server: the ESRIJSON driver on a query URL, the token in the
// query string or in GDAL_HTTP_HEADERS.
[Collection(RealClientsGroup.Name)]
public sealed class GdalClientTests(DemoFeatureServiceFixture fixture) : IClassFixture<DemoFeatureServiceFixture>
{
    private string QueryUrl(string query) => $"{fixture.Sample.Url}/arcgis/rest/services/Demo/FeatureServer/0/query?{query}";

    [Fact]
    public async Task Ogrinfo_reads_the_12_points_with_a_token_in_the_query_and_fails_on_the_499_without_one()
    {
        var withToken = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", "ESRIJSON:" + QueryUrl($"where=1%3D1&outFields=*&f=json&token={fixture.Token}")]);
        var without = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-so", "ESRIJSON:" + QueryUrl("where=1%3D1&outFields=*&f=json")]);

        withToken.ExitCode.Should().Be(0, withToken.Describe());
        withToken.Stdout.Should().Contain("Geometry: Point").And.Contain("Feature Count: 12")
            .And.Contain("Extent: (-117.199000, 34.038100) - (-117.152000, 34.063400)")
            .And.Contain("NAME: String").And.Contain("CATEGORY: String").And.Contain("OPENED: Integer");
        without.ExitCode.Should().NotBe(0, without.Describe());
        without.Stdout.Should().NotContain("Feature Count");
    }

    [Fact]
    public async Task Ogrinfo_with_the_token_in_GDAL_HTTP_HEADERS_reads_what_a_where_clause_selects()
    {
        var run = await GdalTool.RunAsync("ogrinfo", ["-ro", "-al", "-q", "ESRIJSON:" + QueryUrl("where=OBJECTID%3C4&outFields=OBJECTID,NAME&f=json")],
            headers: $"X-Esri-Authorization: Bearer {fixture.Token}");

        run.ExitCode.Should().Be(0, run.Describe());
        run.Stdout.Split('\n').Where(l => l.Contains("NAME (String) = ", StringComparison.Ordinal)).Select(l => l.Split(" = ")[1].Trim())
            .Should().Equal("Smiley Library", "Redlands Bowl", "Kimberly Crest");
    }

    [Fact]
    public async Task Ogr2ogr_copies_what_LIKE_and_an_envelope_select_and_pages_through_a_small_page_size()
    {
        var dir = Directory.CreateTempSubdirectory("status499-gdal-");
        try
        {
            await CopiesAsync(Path.Combine(dir.FullName, "parks.geojson"), Path.Combine(dir.FullName, "west.geojson"), Path.Combine(dir.FullName, "paged.geojson"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private async Task CopiesAsync(string parks, string west, string paged)
    {
        var headers = $"X-Esri-Authorization: Bearer {fixture.Token}";

        var like = await GdalTool.RunAsync("ogr2ogr", ["-f", "GeoJSON", parks, "ESRIJSON:" + QueryUrl("where=NAME%20LIKE%20%27%25Park%25%27&outFields=*&f=json")], headers);
        var envelope = await GdalTool.RunAsync("ogr2ogr", ["-f", "GeoJSON", west, QueryUrl(
            "where=1%3D1&geometry=-117.20,34.04,-117.19,34.06&geometryType=esriGeometryEnvelope&spatialRel=esriSpatialRelIntersects&inSR=4326&outFields=*&f=geojson")], headers);
        // A page of 5 with exceededTransferLimit: GDAL asks for the next pages (resultOffset) itself.
        var pages = await GdalTool.RunAsync("ogr2ogr", ["-f", "GeoJSON", paged, "ESRIJSON:" + QueryUrl("where=1%3D1&outFields=*&resultRecordCount=5&f=json")], headers);

        like.ExitCode.Should().Be(0, like.Describe());
        envelope.ExitCode.Should().Be(0, envelope.Describe());
        pages.ExitCode.Should().Be(0, pages.Describe());
        Names(parks).Should().BeEquivalentTo("Prospect Park", "Sylvan Park", "Ford Park", "Caroline Park", "Israel Beal Park");
        Names(west).Should().BeEquivalentTo("Esri Campus", "Israel Beal Park");
        Names(paged).Should().HaveCount(12).And.OnlyHaveUniqueItems();
    }

    private static string[] Names(string geoJsonFile)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(geoJsonFile));
        return doc.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("properties").GetProperty("NAME").GetString()!).ToArray();
    }
}

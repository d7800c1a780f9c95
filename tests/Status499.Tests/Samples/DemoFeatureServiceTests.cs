using System.Net;
using System.Text.Json;
using Status499.Tests.RealClients;

namespace Status499.Tests.Samples;

// One demo process for the class: the feature service's query semantics, CORS and compression, over HTTP.
public sealed class DemoFeatureServiceFixture : IAsyncLifetime
{
    public string Token { get; } = "test-token-" + Guid.NewGuid().ToString("N");

    /// <summary>The demo user's password (user <c>demo</c>), for clients that sign in at generateToken.</summary>
    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N")[..12];

    internal SampleProcess Sample { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sample = await SampleProcess.StartDemoAsync(new Dictionary<string, string?> { ["Sample__DemoToken"] = Token, ["Sample__DemoUser__Password"] = Password });
        Client = new HttpClient { BaseAddress = new Uri(Sample.Url) };
    }

    /// <summary>Signs in at the demo's generateToken as the demo user, as a client would, and returns the token.</summary>
    public Task<string> GenerateTokenAsync() => GatewayClients.GenerateTokenAsync(Sample.Url + "/arcgis/tokens/generateToken", "demo", Password);

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Sample.DisposeAsync();
    }
}

[Collection(RealClientsGroup.Name)]
public sealed class DemoFeatureServiceTests(DemoFeatureServiceFixture fixture) : IClassFixture<DemoFeatureServiceFixture>
{
    private const string Query = "/arcgis/rest/services/Demo/FeatureServer/0/query";

    [Theory]
    [InlineData("1=1", new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 })]
    [InlineData("OBJECTID<4", new[] { 1, 2, 3 })]
    [InlineData("NAME LIKE '%Park%'", new[] { 4, 7, 8, 9, 12 })]
    [InlineData("name not like '%Park%' and objectid <= 3", new[] { 1, 2, 3 })]
    [InlineData("CATEGORY = 'Campus'", new[] { 6, 10 })]
    [InlineData("OPENED >= 1950 AND NOT CATEGORY = 'Park'", new[] { 10 })]
    [InlineData("UPPER(NAME) LIKE 'REDLANDS%'", new[] { 2, 5, 11 })]
    [InlineData("OBJECTID IN (1, 5) OR NAME = 'Ford Park'", new[] { 1, 5, 8 })]
    [InlineData("OPENED BETWEEN 1900 AND 1930", new[] { 2, 5, 6, 7 })]
    [InlineData("(OBJECTID) = 3 OR (OBJECTID > 11)", new[] { 3, 12 })]
    [InlineData("NAME <> 'Esri Campus' AND CATEGORY = 'Campus'", new[] { 6 })]
    [InlineData("NAME = 'It''s nowhere' OR CATEGORY IS NULL", new int[0])]
    [InlineData("NAME LIKE '_ord Park'", new[] { 8 })]
    public async Task Where_selects_the_places_the_clause_names(string where, int[] expected)
    {
        var ids = await IdsAsync($"where={Uri.EscapeDataString(where)}");

        ids.Should().Equal(expected);
    }

    [Theory]
    [InlineData("NAME LIKE")]
    [InlineData("NOSUCHFIELD = 1")]
    [InlineData("NAME = 'unterminated")]
    [InlineData("1=1; DROP TABLE places")]
    [InlineData("OBJECTID = = 1")]
    [InlineData("SUBSTRING(NAME, 1, 2) = 'Sm'")]
    public async Task Malformed_where_gets_the_ArcGIS_400_error_body(string where)
    {
        var body = await GetStringAsync($"where={Uri.EscapeDataString(where)}&f=json");

        body.Should().Be("""{"error":{"code":400,"message":"Unable to complete operation.","details":["'where' parameter is invalid","Unable to complete Query operation."]}}""");
    }

    [Theory]
    [InlineData("geometry=-117.20,34.04,-117.19,34.06&geometryType=esriGeometryEnvelope&spatialRel=esriSpatialRelIntersects&inSR=4326")]
    [InlineData("geometry=-117.19,34.06,-117.20,34.04")]
    [InlineData("""geometry={"xmin":-117.20,"ymin":34.04,"xmax":-117.19,"ymax":34.06,"spatialReference":{"wkid":4326}}&geometryType=esriGeometryEnvelope""")]
    // The same box in Web Mercator, as web maps send it.
    [InlineData("""geometry={"xmin":-13046644,"ymin":4034174,"xmax":-13045531,"ymax":4036861}&inSR=102100&spatialRel=esriSpatialRelEnvelopeIntersects""")]
    [InlineData("""geometry={"xmin":-13046644,"ymin":4034174,"xmax":-13045531,"ymax":4036861,"spatialReference":{"wkid":102100,"latestWkid":3857}}""")]
    // A triangle whose bounding box also holds Redlands City Hall (11), which lies outside the triangle.
    [InlineData("""geometry={"rings":[[[-117.2010,34.0460],[-117.2010,34.0600],[-117.1840,34.0600],[-117.2010,34.0460]]]}&geometryType=esriGeometryPolygon&inSR=4326""")]
    // A rectangle around the three with a hole (an inner ring, counter-clockwise as ArcGIS draws holes) around City Hall.
    [InlineData("""geometry={"rings":[[[-117.2010,34.0460],[-117.2010,34.0600],[-117.1840,34.0600],[-117.1840,34.0460],[-117.2010,34.0460]],[[-117.1860,34.0550],[-117.1842,34.0550],[-117.1842,34.0570],[-117.1860,34.0570],[-117.1860,34.0550]]]}&geometryType=esriGeometryPolygon""")]
    public async Task Geometry_selects_the_places_inside_it(string query)
    {
        var ids = await IdsAsync(query.Replace("{", "%7B", StringComparison.Ordinal).Replace("}", "%7D", StringComparison.Ordinal).Replace("\"", "%22", StringComparison.Ordinal));

        ids.Should().Equal(10, 12);
    }

    [Theory]
    [InlineData("geometry=-117.20,34.04,-117.19,34.06&spatialRel=esriSpatialRelTouches", "'spatialRel' parameter is invalid")]
    [InlineData("geometry=-117.20,34.04&geometryType=esriGeometryEnvelope", "'geometry' parameter is invalid")]
    [InlineData("geometry=-117.20,34.04,-117.19,34.06&inSR=2154", "'inSR' or 'outSR' parameter is invalid (4326, 102100 or 3857)")]
    [InlineData("outFields=NAME,NOPE", "'outFields' parameter is invalid")]
    [InlineData("resultOffset=-1", "'resultOffset' and 'resultRecordCount' must be non-negative integers")]
    public async Task Invalid_query_parameters_get_an_ArcGIS_error_naming_the_parameter(string query, string detail)
    {
        using var doc = JsonDocument.Parse(await GetStringAsync(query + "&f=json"));

        var error = doc.RootElement.GetProperty("error");
        error.GetProperty("code").GetInt32().Should().Be(400);
        error.GetProperty("details")[0].GetString().Should().Be(detail);
    }

    [Fact]
    public async Task Count_extent_and_ids_only_answer_without_features()
    {
        var where = "&where=" + Uri.EscapeDataString("CATEGORY='Campus'");

        (await GetStringAsync("returnCountOnly=true&f=json" + where)).Should().Be("""{"count":2}""");
        (await GetStringAsync("returnIdsOnly=true&f=json" + where)).Should().Be("""{"objectIdFieldName":"OBJECTID","objectIds":[6,10]}""");
        (await GetStringAsync("returnExtentOnly=true&f=json" + where)).Should().Be(
            """{"extent":{"xmin":-117.1956,"ymin":34.0572,"xmax":-117.164,"ymax":34.0634,"spatialReference":{"wkid":4326,"latestWkid":4326}}}""");
        (await GetStringAsync("returnExtentOnly=true&returnCountOnly=true&f=geojson" + where)).Should().Be(
            """{"type":"FeatureCollection","features":[],"properties":{"count":2},"bbox":[-117.1956,34.0572,-117.164,34.0634]}""");
        (await GetStringAsync("returnExtentOnly=true&f=json&where=1%3D0")).Should().Be(
            """{"extent":{"xmin":null,"ymin":null,"xmax":null,"ymax":null,"spatialReference":{"wkid":4326,"latestWkid":4326}}}""");

        using var mercator = JsonDocument.Parse(await GetStringAsync("returnExtentOnly=true&outSR=3857&f=json" + where));
        var extent = mercator.RootElement.GetProperty("extent");
        extent.GetProperty("xmin").GetDouble().Should().BeApproximately(-13046154.5, 1);
        extent.GetProperty("spatialReference").GetProperty("wkid").GetInt32().Should().Be(102100);
    }

    [Fact]
    public async Task Pages_say_when_more_features_remain_and_outFields_chooses_the_attributes()
    {
        using var first = JsonDocument.Parse(await GetStringAsync("where=1%3D1&resultOffset=0&resultRecordCount=5&orderByFields=OBJECTID%20DESC&outFields=NAME,OPENED&f=json"));
        using var last = JsonDocument.Parse(await GetStringAsync("where=1%3D1&resultOffset=10&resultRecordCount=5&outFields=OBJECTID&returnGeometry=false&f=json"));
        using var geoJson = JsonDocument.Parse(await GetStringAsync("where=1%3D1&resultRecordCount=5&f=geojson"));

        first.RootElement.GetProperty("exceededTransferLimit").GetBoolean().Should().BeTrue();
        var features = first.RootElement.GetProperty("features").EnumerateArray().ToList();
        features.Select(f => f.GetProperty("attributes").GetProperty("NAME").GetString()).Should().Equal(
            "Israel Beal Park", "Redlands City Hall", "Esri Campus", "Caroline Park", "Ford Park");
        features[0].GetProperty("attributes").EnumerateObject().Select(p => p.Name).Should().Equal("NAME", "OPENED");
        features[0].GetProperty("geometry").GetProperty("x").GetDouble().Should().Be(-117.199);
        first.RootElement.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()).Should().Equal("NAME", "OPENED");

        last.RootElement.TryGetProperty("exceededTransferLimit", out _).Should().BeFalse();
        last.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("attributes").GetProperty("OBJECTID").GetInt32()).Should().Equal(11, 12);
        last.RootElement.GetProperty("features")[0].TryGetProperty("geometry", out _).Should().BeFalse();

        geoJson.RootElement.GetProperty("properties").GetProperty("exceededTransferLimit").GetBoolean().Should().BeTrue();
        geoJson.RootElement.GetProperty("features")[0].GetProperty("properties").EnumerateObject().Select(p => p.Name).Should().Equal("OBJECTID");
    }

    [Fact]
    public async Task Cors_preflight_is_answered_before_the_token_check_and_token_errors_carry_cors_headers()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, Query);
        preflight.Headers.Add("Origin", "https://maps.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "x-esri-authorization");
        using var preflightResponse = await fixture.Client.SendAsync(preflight);

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, Query + "?where=1%3D1&f=json");
        anonymous.Headers.Add("Origin", "https://maps.example");
        using var anonymousResponse = await fixture.Client.SendAsync(anonymous);

        preflightResponse.StatusCode.Should().Be(HttpStatusCode.NoContent);
        preflightResponse.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("*");
        preflightResponse.Headers.GetValues("Access-Control-Allow-Headers").Single().Should().ContainEquivalentOf("x-esri-authorization");
        anonymousResponse.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("*");
        (await anonymousResponse.Content.ReadAsStringAsync()).Should().Contain("\"code\":499");
    }

    [Fact]
    public async Task Query_answers_are_compressed_for_clients_that_accept_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Query + "?where=1%3D1&outFields=*&f=json&token=" + fixture.Token);
        request.Headers.Add("Accept-Encoding", "br");
        using var response = await fixture.Client.SendAsync(request);

        response.Content.Headers.ContentEncoding.Should().Equal("br");
        await using var decompressed = new System.IO.Compression.BrotliStream(await response.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var doc = await JsonDocument.ParseAsync(decompressed);
        doc.RootElement.GetProperty("features").GetArrayLength().Should().Be(12);
    }

    private async Task<int[]> IdsAsync(string query)
    {
        using var doc = JsonDocument.Parse(await GetStringAsync(query + "&returnIdsOnly=true&f=json"));
        doc.RootElement.TryGetProperty("objectIds", out var ids).Should().BeTrue(doc.RootElement.ToString());
        return ids.EnumerateArray().Select(e => e.GetInt32()).Order().ToArray();
    }

    private Task<string> GetStringAsync(string query) =>
        fixture.Client.GetStringAsync($"{Query}?{query}&token={fixture.Token}");
}

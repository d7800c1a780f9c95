using System.Net;
using System.Text;

namespace Status499.Tests.Gateway;

// The gateway's token never reaches the service from the two places Status499 reads it besides the URL and the headers:
// the token field of a urlencoded POST body (rewritten without it, the other fields as they came) and the token cookie
// (Status499:Token:CookieName). The service records what it was sent.
public sealed class GatewayBodyAndCookieTokenTests
{
    private const string CookieName = "arcgis_token";

    [Theory]
    [InlineData("token={0}&where=1%3D1&outFields=NAME%2CCATEGORY&f=json", "where=1%3D1&outFields=NAME%2CCATEGORY&f=json")]
    [InlineData("where=1%3D1&outFields=NAME%2CCATEGORY&token={0}&f=json", "where=1%3D1&outFields=NAME%2CCATEGORY&f=json")]
    [InlineData("where=1%3D1&outFields=NAME%2CCATEGORY&f=json&token={0}", "where=1%3D1&outFields=NAME%2CCATEGORY&f=json")]
    [InlineData("where=NAME+%3D+%27token%3Dx%27&outFields=token&TOKEN={0}&f=json", "where=NAME+%3D+%27token%3Dx%27&outFields=token&f=json")] // Status499 reads TOKEN too
    [InlineData("where=1%3D1&%74oken={0}&f=json", "where=1%3D1&f=json")] // and a percent-encoded key
    public async Task A_token_in_a_POST_form_is_taken_off_and_the_rest_of_the_form_arrives_as_it_was(string sent, string forwarded)
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var response = await client.PostAsync(ArcGisUpstream.QueryPath.TrimStart('/'), Form(string.Format(System.Globalization.CultureInfo.InvariantCulture, sent, token)));

        (await response.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson, "the form's token opened the gateway");
        var received = upstream.Received.Should().ContainSingle().Subject;
        received.Body.Should().Be(forwarded);
        received.Headers.ContentLength.Should().Be(Encoding.UTF8.GetByteCount(forwarded));
        received.Headers["Content-Type"].ToString().Should().Be("application/x-www-form-urlencoded");
        received.Target.Should().Be(ArcGisUpstream.QueryPath);
    }

    [Fact]
    public async Task A_form_without_a_token_field_arrives_unchanged()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);
        const string Sent = "where=1%3D1&&outFields=*&tokens=1&f=json";
        using var request = new HttpRequestMessage(HttpMethod.Post, ArcGisUpstream.QueryPath.TrimStart('/')) { Content = Form(Sent) };
        request.Headers.Add("X-Esri-Authorization", "Bearer " + token);

        using var response = await client.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        upstream.Received.Should().ContainSingle().Which.Body.Should().Be(Sent);
    }

    [Fact]
    public async Task With_service_credentials_a_form_token_is_replaced_by_the_services_own_in_a_header()
    {
        await using var upstream = await ArcGisUpstream.StartAsync(secured: true);
        var settings = GatewayHost.Settings(upstream.Address);
        settings["Gateway:Upstreams:upstream:GenerateTokenUrl"] = new Uri(upstream.Address, ArcGisUpstream.GenerateTokenPath).ToString();
        settings["Gateway:Upstreams:upstream:Username"] = ArcGisUpstream.ServiceUsername;
        settings["Gateway:Upstreams:upstream:Password"] = ArcGisUpstream.ServicePassword;
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        using var response = await client.PostAsync(ArcGisUpstream.QueryPath.TrimStart('/'), Form($"where=1%3D1&outFields=NAME&token={token}&f=json"));

        (await response.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        var received = upstream.Received.Should().ContainSingle().Subject;
        received.Body.Should().Be("where=1%3D1&outFields=NAME&f=json");
        received.Headers["X-Esri-Authorization"].ToString().Should().Be("Bearer " + upstream.IssuedTokens.Single());
    }

    [Fact]
    public async Task On_a_public_route_a_form_longer_than_the_gateway_reads_is_refused_not_forwarded_unread()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.Settings(upstream.Address);
        settings["ReverseProxy:Routes:services:Metadata:Status499Meaning"] = "ClientClosedRequest";
        settings["Status499:Token:MaxFormLength"] = "64";
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = gateway.CreateClient();

        using var small = await client.PostAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json", Form("where=1%3D1&token=anything&f=json"));
        using var large = await client.PostAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json", Form("where=" + new string('x', 100) + "&token=anything&f=json"));

        (await small.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson);
        large.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await large.Content.ReadAsStringAsync()).Should().StartWith("""{"error":{"code":413,""");
        upstream.Received.Should().ContainSingle().Which.Body.Should().Be("where=1%3D1&f=json", "a token is taken off on public routes too");
    }

    [Fact]
    public async Task A_query_string_token_in_capitals_is_taken_off_too()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.Settings(upstream.Address));
        using var client = gateway.CreateClient();
        var token = await gateway.GenerateTokenAsync(client);

        (await client.GetStringAsync(ArcGisUpstream.QueryPath.TrimStart('/') + "?where=1%3D1&TOKEN=" + token + "&f=json"))
            .Should().Be(ArcGisUpstream.FeaturesJson, "Status499 reads TOKEN= as the token");

        upstream.Received.Should().ContainSingle().Which.Target.Should().Be(ArcGisUpstream.QueryPath + "?where=1%3D1&f=json");
    }

    [Theory]
    [InlineData("theme=dark; {0}={1}; lang=en", "theme=dark; lang=en")]
    [InlineData("{0}={1}", null)]
    [InlineData("ARCGIS_TOKEN={1}; theme=dark", "theme=dark")] // ASP.NET Core reads cookie names case-insensitively
    public async Task A_token_cookie_is_taken_off_and_the_other_cookies_arrive(string sent, string? forwarded)
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.Settings(upstream.Address);
        settings["Status499:Token:CookieName"] = CookieName;
        await using var gateway = await GatewayHost.StartAsync(settings);
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = gateway.BaseAddress };
        var token = await gateway.GenerateTokenAsync(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, ArcGisUpstream.QueryPath.TrimStart('/') + "?where=1%3D1&f=json");
        request.Headers.Add("Cookie", string.Format(System.Globalization.CultureInfo.InvariantCulture, sent, CookieName, token));

        using var response = await client.SendAsync(request);

        (await response.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson, "the cookie's token opened the gateway");
        var received = upstream.Received.Should().ContainSingle().Subject;
        if (forwarded is null)
        {
            received.Headers.Should().NotContainKey("Cookie");
        }
        else
        {
            received.Headers["Cookie"].ToString().Should().Be(forwarded);
        }

        received.Headers.Values.SelectMany(v => v).Should().NotContain(v => v!.Contains(token, StringComparison.Ordinal));
    }

    // The bytes as given, as a browser's or arcgis-rest-js's form POST sends them.
    private static ByteArrayContent Form(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return content;
    }
}

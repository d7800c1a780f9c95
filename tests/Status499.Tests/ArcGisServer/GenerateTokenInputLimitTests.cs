using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;
using static Status499.Tests.ArcGisServer.GenerateTokenLockoutTests;

namespace Status499.Tests.ArcGisServer;

// generateToken is anonymous: what it reads must be bounded by the library, not only by Kestrel's 30 MB.
public sealed class GenerateTokenInputLimitTests
{
    private const string TooLargeBody =
        "{\"error\":{\"code\":413,\"message\":\"Unable to generate token.\",\"details\":[\"The form must not be larger than 65536 bytes.\"]}}";

    [Fact]
    public async Task A_form_over_64_KiB_with_a_Content_Length_gets_413_with_an_ArcGIS_body_without_being_read()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        var (response, body) = await PostFormAsync(client, Form(fields: 4, valueLength: 20_000), chunked: false);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        body.Should().Be(TooLargeBody);
        AssertAnsweredAsAClientError(app);
    }

    [Fact]
    public async Task A_chunked_form_over_64_KiB_gets_413_with_an_ArcGIS_body()
    {
        await using var app = await StartAsync();
        using var raw = await RawHttpClient.ConnectAsync(app.Port);
        var form = Encoding.ASCII.GetBytes(Form(fields: 1, valueLength: 70_000));

        // Chunks of 8 KiB, as a client streaming a body of unknown length sends them.
        var request = new StringBuilder($"POST {GenerateTokenPath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n");
        foreach (var chunk in form.Chunk(8192))
        {
            request.Append(chunk.Length.ToString("X", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n").Append(Encoding.ASCII.GetString(chunk)).Append("\r\n");
        }

        await raw.SendAsync(request.Append("0\r\n\r\n").ToString());
        var answer = await raw.ReceiveUntilAsync("]}}");

        answer.Should().StartWith("HTTP/1.1 413 ").And.EndWith(TooLargeBody);
        AssertAnsweredAsAClientError(app);
    }

    [Fact]
    public async Task A_small_form_with_too_many_fields_gets_400_with_an_ArcGIS_body()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        var (response, body) = await PostFormAsync(client, Form(fields: 1000, valueLength: 1), chunked: false);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body.Should().Be("{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\",\"details\":[\"The form body could not be read.\"]}}");
        AssertAnsweredAsAClientError(app);
    }

    [Fact]
    public async Task A_form_under_the_caps_is_answered_as_usual()
    {
        await using var app = await StartAsync();
        using var client = Client(app);

        var (_, body) = await PostFormAsync(client, Form(fields: 40, valueLength: 1000), chunked: true);

        body.Should().Contain("\"token\"");
    }

    // username, password, f, then `fields` padding fields of valueLength bytes each.
    private static string Form(int fields, int valueLength)
    {
        var form = new StringBuilder($"username={Username}&password={Uri.EscapeDataString(Password)}&f=json");
        for (var i = 0; i < fields; i++)
        {
            form.Append("&pad").Append(i).Append('=').Append('x', valueLength);
        }

        return form.ToString();
    }

    private static async Task<(HttpResponseMessage Response, string Body)> PostFormAsync(HttpClient client, string form, bool chunked)
    {
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, GenerateTokenPath) { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static void AssertAnsweredAsAClientError(TestApp app)
    {
        // The in-memory key ring warns that its keys are not encrypted at rest; nothing else may warn.
        app.WarningsAndErrors.Where(w => !w.StartsWith("Microsoft.AspNetCore.DataProtection.", StringComparison.Ordinal)).Should().BeEmpty();
        app.LogsExceptHostingRequestLines.Should().ContainSingle(r => r.Id.Name == "TokenNotIssued").Which.Level.Should().Be(LogLevel.Information);
        app.LogsExceptHostingRequestLines.Should().NotContain(r => r.Id.Name == "TokenIssued" || r.Id.Name == "InvalidCredentials", "no credentials were checked");
    }
}

using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Status499.Tests.Infrastructure;

namespace Status499.Tests.ArcGisServer;

// A clock the tests move by hand: token expiry without sleeps.
public sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

// Starts a real Kestrel app with rest/info, generateToken and a RequireToken route, and talks to it.
internal static class ArcGisTokenTestKit
{
    public const string Username = "alice";
    public const string Password = "s3cret-Pa55word!";
    public const string GenerateTokenPath = "/arcgis/tokens/generateToken";

    public static Task<TestApp> StartAsync(
        ManualTimeProvider? time = null,
        Action<ArcGisTokenOptions>? configure = null,
        Action<Status499Builder>? beforeSignedTokens = null,
        Action<WebApplication>? beforeStatus499 = null,
        Action<IDataProtectionBuilder>? keyRing = null)
        => TestApp.StartAsync(
            app =>
            {
                app.MapArcGisRestInfo();
                app.MapArcGisGenerateToken();
                app.MapGet("/protected", (RequestDelegate)(c => c.Response.WriteAsync(c.User.Identity?.Name ?? "anonymous"))).RequireToken();
            },
            // A TokenRequired pattern that covers rest/info and generateToken too: their own metadata must win.
            configure: o => o.MapRoute("/arcgis/{**path}", Status499Meaning.TokenRequired),
            configureBuilder: b =>
            {
                beforeSignedTokens?.Invoke(b);
                b.AddArcGisSignedTokens(o =>
                {
                    o.AddUser(Username, Password);
                    configure?.Invoke(o);
                });
            },
            beforeStatus499: beforeStatus499,
            services: s =>
            {
                // The content root's appsettings.json (the sample's) sets Status499 to Information; see the Debug records too.
                s.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(null, "Status499.ArcGisTokens", LogLevel.Debug, null)));
                if (time is not null)
                {
                    s.AddSingleton<TimeProvider>(time);
                }

                // After AddArcGisSignedTokens, as an app's own Data Protection setup usually is: the app's key ring wins.
                var dataProtection = s.AddDataProtection();
                if (keyRing is null)
                {
                    var own = new InMemoryKeyRing();
                    dataProtection.AddKeyManagementOptions(o => o.XmlRepository = own);
                }
                else
                {
                    keyRing(dataProtection);
                }
            });

    public static async Task<(HttpResponseMessage Response, JsonElement Json)> PostAsync(HttpClient client, string path, params (string Key, string Value)[] form)
    {
        using var content = new FormUrlEncodedContent(form.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));
        var response = await client.PostAsync(path, content);
        return (response, await JsonAsync(response));
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<string> GenerateTokenAsync(HttpClient client, params (string Key, string Value)[] extra)
    {
        var (_, json) = await PostAsync(client, GenerateTokenPath, [("username", Username), ("password", Password), ("f", "json"), .. extra]);
        json.TryGetProperty("token", out var token).Should().BeTrue(json.ToString());
        return token.GetString()!;
    }

    public static Task<HttpResponseMessage> GetProtectedAsync(HttpClient client, string token, string? referer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/protected?token=" + Uri.EscapeDataString(token));
        if (referer is not null)
        {
            // Not a URL for Node's arcgis-rest-js, so not through the typed Referrer property.
            request.Headers.TryAddWithoutValidation("Referer", referer);
        }

        return client.SendAsync(request);
    }

    public static HttpClient Client(TestApp app) => new() { BaseAddress = app.BaseAddress };

    // The Data Protection key that protected a token: a protected payload is a 4-byte header, then the key id
    // (https://learn.microsoft.com/aspnet/core/security/data-protection/implementation/authenticated-encryption-details).
    public static Guid KeyIdOf(string token) => KeyIdOf(WebEncoders.Base64UrlDecode(token));

    public static Guid KeyIdOf(byte[] protectedPayload) => new(protectedPayload.AsSpan(4, 16));
}

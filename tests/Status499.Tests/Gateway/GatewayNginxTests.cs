using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Status499.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Status499.Tests.Gateway;

// Two gateway instances sharing one real Redis (GatewayRedisTests) behind one real nginx that balances them round
// robin, as they would be deployed: a client sees one gateway, whichever instance answers, and loses no request sent
// after one instance dies.
public sealed class GatewayNginxTests(RedisServer redis, ITestOutputHelper output) : IClassFixture<RedisServer>
{
    private const string InvalidCredentialsBody =
        """{"error":{"code":400,"message":"Unable to generate token.","details":["Invalid username or password."]}}""";

    // The nginx configuration of docs/gateway.md ("Several instances"), for two instances on 127.0.0.1. The directives
    // are nginx's (http://nginx.org/en/docs/http/ngx_http_upstream_module.html, ngx_http_proxy_module.html):
    // - upstream without a method: weighted round robin, equal weights, so requests alternate between the instances;
    // - max_fails=1 fail_timeout=10s (nginx's defaults, written out): one failed attempt (an error or timeout, as
    //   proxy_next_upstream defines them) takes an instance out of the rotation for 10 s, then nginx tries it again;
    // - proxy_next_upstream error timeout (the default, written out): a request whose connection to an instance fails
    //   (refused, reset, closed before the response header) goes to the next instance. nginx retries a POST only if
    //   it was not sent yet (since 1.9.13; "non_idempotent" would allow more): a generateToken in flight may fail;
    // - keepalive + proxy_http_version 1.1 + an empty Connection header: connections to the instances are reused,
    //   as they are not by default (HTTP/1.0, "Connection: close"); nginx's keepalive_timeout (60 s) is shorter than
    //   Kestrel's KeepAliveTimeout (130 s), so nginx, not Kestrel, closes an idle one;
    // - X-Upstream-Addr ($upstream_addr, every instance tried, "a, b" after a retry): for the tests only, it shows
    //   internal addresses.
    internal static string HttpBlock(int port, IEnumerable<GatewayHost> instances, string nextUpstream = "error timeout") => $$"""
            upstream gateway {
        {{string.Concat(instances.Select(i => $"        server 127.0.0.1:{i.Port.ToString(CultureInfo.InvariantCulture)} max_fails=1 fail_timeout=10s;\n"))}}        keepalive 16;
            }
            server {
                listen 127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}};
                location / {
                    proxy_pass http://gateway;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                    proxy_set_header Host $http_host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_connect_timeout 2s;
                    proxy_next_upstream {{nextUpstream}};
                    add_header X-Upstream-Addr $upstream_addr always;
                }
            }
        """;

    [Fact]
    public async Task Through_nginx_a_token_from_generateToken_opens_every_query_as_they_alternate_between_the_instances()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.OnRedis(upstream.Address, redis);
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        await using var nginx = await NginxServer.StartAsync(port => HttpBlock(port, [a, b]));
        using var client = new HttpClient { BaseAddress = nginx.BaseAddress };

        // rest/info, answered behind nginx, sends clients to nginx's generateToken (Host passed on by nginx).
        using (var info = JsonDocument.Parse(await client.GetStringAsync(GatewayHost.RestInfoPath.TrimStart('/') + "?f=json")))
        {
            info.RootElement.GetProperty("authInfo").GetProperty("tokenServicesUrl").GetString()
                .Should().Be(new Uri(nginx.BaseAddress, GatewayHost.GenerateTokenPath).ToString());
        }

        var (_, tokenBody, _) = await SignInAsync(client, GatewayHost.Password);
        using var json = JsonDocument.Parse(tokenBody);
        var token = json.RootElement.GetProperty("token").GetString()!;

        var servedBy = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.GetAsync(Query(token));
            (await response.Content.ReadAsStringAsync()).Should().Be(ArcGisUpstream.FeaturesJson, "query {0} (by {1}) carries a valid token; nginx: {2}", i, UpstreamOf(response), nginx.ErrorLog());
            servedBy.Add(UpstreamOf(response));
        }

        servedBy.Should().OnlyContain(s => s == Address(a) || s == Address(b), "each query went to one instance, no retry");
        servedBy.Zip(servedBy.Skip(1)).Should().OnlyContain(pair => pair.First != pair.Second, "round robin alternates: {0}", string.Join(' ', servedBy));

        // Each instance's own pipeline saw (and accepted) the queries nginx says it sent there: 4 each.
        AcceptedQueries(a).Should().Be(servedBy.Count(s => s == Address(a))).And.Be(4);
        AcceptedQueries(b).Should().Be(servedBy.Count(s => s == Address(b))).And.Be(4);
    }

    [Fact]
    public async Task A_lockout_started_through_nginx_holds_on_both_instances()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.OnRedis(upstream.Address, redis);
        await using var a = await GatewayHost.StartAsync(settings);
        await using var b = await GatewayHost.StartAsync(settings);
        await using var nginx = await NginxServer.StartAsync(port => HttpBlock(port, [a, b]));
        using var client = new HttpClient { BaseAddress = nginx.BaseAddress };

        // Five failures (the library's default lockout policy, ArcGIS Server's), spread over both instances by nginx.
        var failedOn = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (_, body, by) = await SignInAsync(client, "wrong" + i);
            body.Should().Be(InvalidCredentialsBody);
            failedOn.Add(by);
        }

        failedOn.Should().Contain(Address(a)).And.Contain(Address(b));

        // The right password, twice: once on each instance, refused on both.
        var refusedOn = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var (_, body, by) = await SignInAsync(client, GatewayHost.Password);
            body.Should().Be(InvalidCredentialsBody, "the lockout holds on {0}", by);
            refusedOn.Add(by);
        }

        refusedOn.Should().BeEquivalentTo([Address(a), Address(b)]);
        var fifth = failedOn[4] == Address(a) ? a : b;
        fifth.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStarted", "the fifth failure was there");
    }

    [Fact]
    public async Task When_an_instance_dies_under_load_no_request_sent_after_it_died_fails()
    {
        await using var upstream = await ArcGisUpstream.StartAsync();
        var settings = GatewayHost.OnRedis(upstream.Address, redis);
        await using var dying = await GatewayHost.StartAsync(settings);
        await using var survivor = await GatewayHost.StartAsync(settings);
        await using var nginx = await NginxServer.StartAsync(port => HttpBlock(port, [dying, survivor]));
        using var client = new HttpClient { BaseAddress = nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var (_, tokenBody, _) = await SignInAsync(client, GatewayHost.Password);
        using var json = JsonDocument.Parse(tokenBody);
        var query = Query(json.RootElement.GetProperty("token").GetString()!);

        // What makes it so is nginx's, in HttpBlock (http://nginx.org/en/docs/http/ngx_http_upstream_module.html):
        // proxy_next_upstream error timeout retries on the survivor a GET the dead instance reset or refused, and
        // max_fails=1 fail_timeout=10s keeps the dead instance out of the rotation after its first failure. Seen
        // failing: with proxy_next_upstream off the queries in flight at the kill get 502 (the retry check below), and
        // with max_fails=0 as well half the queries sent after it do.
        // A steady stream: a few clients, each sending the next query when the last one is answered, every request
        // recorded with when it started and ended. The instance dies once both have served; the stream goes on until
        // enough requests started after the kill completed.
        const int Clients = 4;
        const int WantedBeforeKill = 40;
        const int WantedAfterKill = 200;
        var requests = new System.Collections.Concurrent.ConcurrentQueue<Sent>();
        var servedBeforeKill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var enoughAfterKill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long killEnded = long.MaxValue;
        int succeeded = 0, completedAfterKill = 0;
        using var stop = new CancellationTokenSource();

        async Task ClientLoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                int status = 0;
                string body = string.Empty, by = string.Empty, error = string.Empty;
                try
                {
                    using var response = await client.GetAsync(query);
                    status = (int)response.StatusCode;
                    by = UpstreamOf(response);
                    body = await response.Content.ReadAsStringAsync();
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
                {
                    error = ex.GetType().Name + ": " + ex.Message;
                }

                var sent = new Sent(start, Stopwatch.GetTimestamp(), status, body, by, error);
                requests.Enqueue(sent);
                if (sent.Succeeded && Interlocked.Increment(ref succeeded) >= WantedBeforeKill
                    && requests.Any(r => r.By == Address(dying)) && requests.Any(r => r.By == Address(survivor)))
                {
                    servedBeforeKill.TrySetResult();
                }

                if (start >= Volatile.Read(ref killEnded) && Interlocked.Increment(ref completedAfterKill) >= WantedAfterKill)
                {
                    enoughAfterKill.TrySetResult();
                }
            }
        }

        var loops = Enumerable.Range(0, Clients).Select(_ => Task.Run(ClientLoopAsync)).ToArray();
        try
        {
            await servedBeforeKill.Task.WaitAsync(TimeSpan.FromSeconds(15));
            var killStarted = Stopwatch.GetTimestamp();
            await dying.KillAsync();
            Volatile.Write(ref killEnded, Stopwatch.GetTimestamp());
            await enoughAfterKill.Task.WaitAsync(TimeSpan.FromSeconds(15));
            await stop.CancelAsync();
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(15));

            var all = requests.ToList();
            var before = all.Where(r => r.End < killStarted).ToList();
            var after = all.Where(r => r.Start >= killEnded).ToList();
            var failed = all.Where(r => !r.Succeeded).ToList();
            output.WriteLine(
                $"{all.Count} requests: {before.Count} ended before the kill, {all.Count - before.Count - after.Count} overlapped it " +
                $"({Milliseconds(killEnded - killStarted)} ms), {after.Count} started after it; {failed.Count} failed: " +
                string.Join("; ", failed.Select(r => r.ToString())));

            before.Should().OnlyContain(r => r.Succeeded, "both instances were up");
            after.Should().HaveCountGreaterThanOrEqualTo(WantedAfterKill);
            after.Should().OnlyContain(r => r.Succeeded, "nginx passes over the dead instance; nginx: {0}", nginx.ErrorLog());
            after.Should().OnlyContain(r => r.By.EndsWith(Address(survivor), StringComparison.Ordinal), "the survivor answered every one");

            // The only requests allowed to fail are those in flight while the instance died.
            failed.Where(r => r.Start >= killEnded || r.End < killStarted).Should().BeEmpty("a request that failed was in flight at the kill");

            // Not a lucky rotation: nginx sent the dead instance some request (one in flight when it died, reset
            // before its response header, or a new one, refused) and took it to the survivor (proxy_next_upstream).
            all.Should().Contain(
                r => r.By == Address(dying) + ", " + Address(survivor) && r.Succeeded,
                "nginx found the instance gone and went on to the next; nginx: {0}", nginx.ErrorLog());
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static string Address(GatewayHost host) => "127.0.0.1:" + host.Port.ToString(CultureInfo.InvariantCulture);

    private static string UpstreamOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Upstream-Addr", out var values) ? string.Join(", ", values) : string.Empty;

    private static int AcceptedQueries(GatewayHost host) =>
        host.Observer.All.Count(o => o.Path == ArcGisUpstream.QueryPath && o.TokenOutcome == TokenOutcome.Accepted && o.StatusCode == 200);

    private static long Milliseconds(long ticks) => ticks * 1000 / Stopwatch.Frequency;

    private static string Query(string token) => ArcGisUpstream.QueryPath.TrimStart('/') + "?f=json&token=" + token;

    // generateToken through nginx: the status, the body and which instance answered.
    private static async Task<(HttpStatusCode Status, string Body, string By)> SignInAsync(HttpClient client, string password)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = GatewayHost.Username, ["password"] = password, ["f"] = "json" });
        using var response = await client.PostAsync(GatewayHost.GenerateTokenPath.TrimStart('/'), form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), UpstreamOf(response));
    }

    private sealed record Sent(long Start, long End, int Status, string Body, string By, string Error)
    {
        public bool Succeeded => Status == 200 && Body == ArcGisUpstream.FeaturesJson;

        public override string ToString() => $"{Status} by '{By}' {Error}";
    }
}

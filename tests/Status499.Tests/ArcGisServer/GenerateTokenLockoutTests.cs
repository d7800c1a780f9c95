using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;

namespace Status499.Tests.ArcGisServer;

public sealed class GenerateTokenLockoutTests
{
    internal const string InvalidCredentialsBody =
        "{\"error\":{\"code\":400,\"message\":\"Unable to generate token.\",\"details\":[\"Invalid username or password.\"]}}";

    // The lockout reads the test's clock, but the cache holding its records (the private in-memory one) expires them by
    // the system clock, relative to the test clock's window: minutes, so that no run, however slow, loses a record
    // mid-test. The test clock moves past them by hand.
    private static readonly TimeSpan s_window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_lockout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task After_N_wrong_passwords_even_the_right_one_is_refused_until_the_lockout_ends()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time, Lockout(3));
        using var client = Client(app);

        for (var i = 0; i < 3; i++)
        {
            (await SignInAsync(client, Username, "wrong-" + i)).Body.Should().Be(InvalidCredentialsBody);
        }

        // Locked: the right password gets the wrong-password answer, with the same status and headers.
        var (locked, lockedBody) = await SignInAsync(client, Username, Password);
        locked.StatusCode.Should().Be(HttpStatusCode.OK);
        locked.Headers.CacheControl!.NoStore.Should().BeTrue();
        locked.Headers.RetryAfter.Should().BeNull("a lockout must look like a wrong password");
        lockedBody.Should().Be(InvalidCredentialsBody);

        time.Advance(s_lockout - TimeSpan.FromMilliseconds(1));
        (await SignInAsync(client, Username, Password)).Body.Should().Be(InvalidCredentialsBody, "the lockout has not ended yet");

        time.Advance(TimeSpan.FromMilliseconds(1));
        (await SignInAsync(client, Username, Password)).Body.Should().Contain("\"token\"");
    }

    [Fact]
    public async Task An_unknown_username_locks_out_exactly_like_a_known_one()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time, Lockout(3));
        using var client = Client(app);

        var known = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            known.Add(Describe(await SignInAsync(client, Username, "wrong-" + i)));
            unknown.Add(Describe(await SignInAsync(client, "mallory", "wrong-" + i)));
        }

        unknown.Should().Equal(known, "answers before, at and after the lockout must not tell which account exists");
        known.Should().AllBe("200 application/json; charset=utf-8 " + InvalidCredentialsBody);
        app.Logs.GetSnapshot().Where(r => r.Id.Name == "GenerateTokenLockoutStarted").Select(r => r.GetStructuredStateValue("UsernameHash"))
            .Should().BeEquivalentTo([Hash(app, Username), Hash(app, "mallory")]);

        static string Describe((HttpResponseMessage Response, string Body) answer)
            => $"{(int)answer.Response.StatusCode} {answer.Response.Content.Headers.ContentType} {answer.Body}";
    }

    [Fact]
    public async Task A_success_clears_the_failure_count()
    {
        await using var app = await StartAsync(new ManualTimeProvider(), Lockout(3));
        using var client = Client(app);

        for (var round = 0; round < 3; round++)
        {
            await SignInAsync(client, Username, "wrong-a");
            await SignInAsync(client, Username, "wrong-b");
            (await SignInAsync(client, Username, Password)).Body.Should().Contain("\"token\"", $"round {round}: two failures then a success never lock");
        }
    }

    [Fact]
    public async Task Failures_older_than_the_window_are_forgotten()
    {
        var time = new ManualTimeProvider();
        await using var app = await StartAsync(time, Lockout(3));
        using var client = Client(app);

        await SignInAsync(client, Username, "wrong-a");
        await SignInAsync(client, Username, "wrong-b");
        time.Advance(s_window);
        await SignInAsync(client, Username, "wrong-c");
        await SignInAsync(client, Username, "wrong-d");

        // Four failures, but the first two left the window before the third: no lockout.
        (await SignInAsync(client, Username, Password)).Body.Should().Contain("\"token\"");
    }

    [Fact]
    public async Task Parallel_guesses_get_no_more_than_N_password_checks()
    {
        var issuer = new BlockingIssuer();
        await using var app = await TestApp.StartAsync(
            a => a.MapArcGisGenerateToken(),
            services: s =>
            {
                s.AddSingleton<ITokenIssuer>(issuer);
                s.Configure<ArcGisTokenOptions>(o =>
                {
                    o.Lockout.MaxFailedAttempts = 3;
                    o.RateLimit.PermitLimit = 100;
                });
            });
        using var client = Client(app);

        // Twenty guesses at once, while the first checks hang in the issuer: the attempts are counted before the check,
        // so only three reach it and the other seventeen are refused without waiting for them.
        var guesses = Enumerable.Range(0, 20).Select(i => SignInAsync(client, Username, "guess-" + i)).ToList();
        var refused = 0;
        while (refused < 17)
        {
            var done = await Task.WhenAny(guesses).WaitAsync(TimeSpan.FromSeconds(15));
            guesses.Remove(done);
            (await done).Body.Should().Be(InvalidCredentialsBody);
            refused++;
        }

        issuer.Checks.Should().Be(3);
        issuer.Release();
        foreach (var guess in guesses)
        {
            (await guess.WaitAsync(TimeSpan.FromSeconds(15))).Body.Should().Be(InvalidCredentialsBody);
        }

        issuer.Checks.Should().Be(3);
        app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStarted");
    }

    [Fact]
    public async Task Usernames_that_differ_only_in_case_share_one_count()
    {
        await using var app = await StartAsync(new ManualTimeProvider(), Lockout(3));
        using var client = Client(app);

        await SignInAsync(client, "ALICE", "wrong-a");
        await SignInAsync(client, "Alice", "wrong-b");
        await SignInAsync(client, "aLiCe", "wrong-c");

        (await SignInAsync(client, Username, Password)).Body.Should().Be(InvalidCredentialsBody);
    }

    [Fact]
    public async Task A_lockout_logs_one_warning_and_counts_naming_a_hashed_username_and_the_address_never_the_password()
    {
        await using var app = await StartAsync(new ManualTimeProvider(), Lockout(3));
        using var lockouts = new MetricCollector<long>(app.App.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "Status499", "status499.token_service.lockouts");
        using var client = Client(app);
        var guesses = new[] { "guess-One-1", "guess-Two-2", "guess-Three-3", "guess-Four-4", "guess-Five-5" };

        foreach (var guess in guesses)
        {
            await SignInAsync(client, Username, guess);
        }

        await SignInAsync(client, Username, Password);

        var record = app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStarted", "only the failure that starts a lockout warns").Subject;
        record.Level.Should().Be(LogLevel.Warning);
        record.Id.Id.Should().Be(40);
        record.GetStructuredStateValue("UsernameHash").Should().Be(Hash(app, Username)).And.HaveLength(12)
            .And.NotBe(UnkeyedHash(Username), "a hash anyone can compute could be tested against guesses offline");
        record.GetStructuredStateValue("ClientAddress").Should().Be("127.0.0.1");
        record.GetStructuredStateValue("FailedAttempts").Should().Be("3");
        record.Message.Should().NotContain(Username);
        lockouts.GetMeasurementSnapshot().Should().ContainSingle().Which.Value.Should().Be(1);

        // No record anywhere carries a guess or the password; the username appears only in the Debug records that
        // already named it before this change.
        foreach (var secret in guesses.Append(Password))
        {
            ArcGisSignedTokenTests.AssertNoSecretsLogged(app, secret);
        }

        app.LogsExceptHostingRequestLines.Where(r => r.Level >= LogLevel.Information && r.Message.Contains(Username, StringComparison.OrdinalIgnoreCase))
            .Should().BeEmpty();
        app.LogsExceptHostingRequestLines.Should().Contain(r => r.Id.Name == "TokenNotIssued" && r.Message.Contains("LockedOut", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_password_typed_as_the_username_never_reaches_a_log_at_any_level()
    {
        const string Typed = "MyS3cretPassw0rd!";
        await using var app = await StartAsync(new ManualTimeProvider(), Lockout(3));
        using var client = Client(app);

        for (var i = 0; i < 4; i++)
        {
            await SignInAsync(client, Typed, "wrong-" + i);
        }

        var records = app.Logs.GetSnapshot();
        records.Should().Contain(r => r.Id.Name == "InvalidCredentials" && r.Level == LogLevel.Debug, "Debug records are collected");
        records.Should().Contain(r => r.Id.Name == "GenerateTokenLockoutStarted");
        foreach (var record in records)
        {
            var everything = string.Join('\n', [
                record.Message,
                record.Exception?.ToString() ?? string.Empty,
                .. record.StructuredState?.Select(p => p.Key + "=" + p.Value) ?? [],
                .. record.Scopes.Select(s => s?.ToString() ?? string.Empty),
            ]);
            everything.Should().NotContainEquivalentOf(Typed, $"record {record.Id} ({record.Category}) must not carry the username")
                .And.NotContain(UnkeyedHash(Typed), "nor a hash of it anyone can test guesses against");
        }

        // The attempts are still told apart by a keyed digest, the same in both events.
        records.Where(r => r.Id.Name is "InvalidCredentials" or "GenerateTokenLockoutStarted").Select(r => r.GetStructuredStateValue("UsernameHash"))
            .Should().OnlyContain(h => h == Hash(app, Typed));
    }

    [Fact]
    public void The_private_lockout_store_holds_a_bounded_number_of_usernames()
    {
        var store = GenerateTokenProtection.CreateInMemoryStore();
        var record = new LockoutRecord(1, 1, 0).Encode();
        var entry = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(15) };

        var offered = GenerateTokenProtection.InMemoryCapacity + 5000;
        for (var i = 0; i < offered; i++)
        {
            store.Set("user-" + i, record, entry);
        }

        var kept = Enumerable.Range(0, offered).Count(i => store.Get("user-" + i) is not null);
        kept.Should().BeGreaterThan(GenerateTokenProtection.InMemoryCapacity / 2).And.BeLessThanOrEqualTo(GenerateTokenProtection.InMemoryCapacity);
    }

    [Fact]
    public async Task With_lockout_disabled_the_right_password_works_after_many_failures()
    {
        // A maximum the failures below exceed, so the test does not depend on the default maximum.
        await using var app = await StartAsync(new ManualTimeProvider(), o =>
        {
            o.Lockout.Enabled = false;
            o.Lockout.MaxFailedAttempts = 3;
        });
        using var client = Client(app);

        for (var i = 0; i < 8; i++)
        {
            await SignInAsync(client, Username, "wrong-" + i);
        }

        (await SignInAsync(client, Username, Password)).Body.Should().Contain("\"token\"");
    }

    [Fact]
    public async Task The_apps_own_IDistributedCache_holds_the_lockout_and_its_failure_refuses_without_a_500()
    {
        var cache = new FailingCache();
        await using var app = await StartAsync(new ManualTimeProvider(), Lockout(3), beforeSignedTokens: b => b.Services.AddSingleton<IDistributedCache>(cache));
        using var client = Client(app);

        var (response, body) = await SignInAsync(client, Username, Password);

        cache.Calls.Should().BePositive("the app's cache, not a private one, stores the lockout");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        body.Should().Be("{\"error\":{\"code\":500,\"message\":\"Unable to generate token.\",\"details\":[]}}", "fail closed: no token while the lockout cannot be checked");
        var record = app.Logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "GenerateTokenLockoutStoreFailed").Subject;
        record.Level.Should().Be(LogLevel.Error);
        record.Message.Should().Contain(nameof(FailingCache));
        ArcGisSignedTokenTests.AssertNoSecretsLogged(app, Password);
    }

    // An outage is one Error, not one per refused sign-in: the rest at Debug, and one Information when the store
    // answers again, with how many sign-ins it refused. A second outage is a second Error.
    [Fact]
    public async Task A_store_outage_is_logged_once_when_it_starts_and_once_when_it_ends()
    {
        var cache = new FailingCache();
        await using var app = await StartAsync(new ManualTimeProvider(), Lockout(3), beforeSignedTokens: b => b.Services.AddSingleton<IDistributedCache>(cache));
        using var client = Client(app);

        for (var i = 0; i < 4; i++)
        {
            (await SignInAsync(client, Username, Password)).Body.Should().Contain("Unable to generate token.");
        }

        Events(app, "GenerateTokenLockoutStoreFailed").Should().ContainSingle().Which.Level.Should().Be(LogLevel.Error);
        Events(app, "GenerateTokenLockoutStoreStillFailing").Should().HaveCount(3).And.OnlyContain(r => r.Level == LogLevel.Debug);
        Events(app, "GenerateTokenLockoutStoreRecovered").Should().BeEmpty();

        cache.Down = false;
        (await SignInAsync(client, Username, Password)).Body.Should().Contain("\"token\"");
        (await SignInAsync(client, Username, Password)).Body.Should().Contain("\"token\"");

        var recovered = Events(app, "GenerateTokenLockoutStoreRecovered").Should().ContainSingle().Subject;
        recovered.Level.Should().Be(LogLevel.Information);
        recovered.GetStructuredStateValue("RefusedRequests").Should().Be("4");

        cache.Down = true;
        await SignInAsync(client, Username, Password);
        Events(app, "GenerateTokenLockoutStoreFailed").Should().HaveCount(2, "a new outage");
        ArcGisSignedTokenTests.AssertNoSecretsLogged(app, Password);
    }

    private static List<Microsoft.Extensions.Logging.Testing.FakeLogRecord> Events(TestApp app, string name)
        => app.Logs.GetSnapshot().Where(r => r.Id.Name == name).ToList();

    [Fact]
    public async Task An_app_with_its_own_issuer_is_protected_too()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapArcGisGenerateToken(),
            services: s =>
            {
                s.AddSingleton<ITokenIssuer>(new OnePasswordIssuer());
                s.Configure<ArcGisTokenOptions>(o => o.Lockout.MaxFailedAttempts = 2);
            });
        using var client = Client(app);

        await SignInAsync(client, Username, "wrong-a");
        await SignInAsync(client, Username, "wrong-b");

        (await SignInAsync(client, Username, Password)).Body.Should().Be(InvalidCredentialsBody);
    }

    [Theory]
    [InlineData("MaxFailedAttempts", "ArcGisTokenOptions.Lockout.MaxFailedAttempts")]
    [InlineData("FailureWindow", "ArcGisTokenOptions.Lockout.FailureWindow")]
    [InlineData("LockoutDuration", "ArcGisTokenOptions.Lockout.LockoutDuration")]
    [InlineData("PermitLimit", "ArcGisTokenOptions.RateLimit.PermitLimit")]
    [InlineData("Window", "ArcGisTokenOptions.RateLimit.Window")]
    public async Task Bad_lockout_or_rate_limit_options_stop_startup_naming_the_setting(string setting, string named)
    {
        Action<ArcGisTokenOptions> spoil = setting switch
        {
            "MaxFailedAttempts" => o => o.Lockout.MaxFailedAttempts = 0,
            "FailureWindow" => o => o.Lockout.FailureWindow = TimeSpan.FromMilliseconds(10),
            "LockoutDuration" => o => o.Lockout.LockoutDuration = TimeSpan.FromDays(30),
            "PermitLimit" => o => o.RateLimit.PermitLimit = -1,
            _ => o => o.RateLimit.Window = TimeSpan.Zero,
        };

        // Through AddArcGisSignedTokens: ValidateOnStart.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        TestKeyRing.UseInMemoryUnlessTheTestBringsOne(builder.Services);
        builder.Services.AddStatus499().AddArcGisSignedTokens(o =>
        {
            o.AddUser("u", "p");
            spoil(o);
        });
        await using (var app = builder.Build())
        {
            var start = () => app.StartAsync();
            (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(named);
        }

        // With an app's own issuer, which registers no validator: mapping the endpoint checks them.
        var own = WebApplication.CreateSlimBuilder();
        own.WebHost.UseTestServer();
        own.Services.AddStatus499();
        own.Services.AddSingleton<ITokenIssuer>(new OnePasswordIssuer());
        own.Services.Configure(spoil);
        await using (var app = own.Build())
        {
            FluentActions.Invoking(() => app.MapArcGisGenerateToken()).Should().Throw<OptionsValidationException>().WithMessage($"*{named}*");
        }
    }

    internal static Action<ArcGisTokenOptions> Lockout(int maxFailedAttempts) => o =>
    {
        o.Lockout.MaxFailedAttempts = maxFailedAttempts;
        o.Lockout.FailureWindow = s_window;
        o.Lockout.LockoutDuration = s_lockout;
    };

    internal static async Task<(HttpResponseMessage Response, string Body)> SignInAsync(HttpClient client, string username, string password)
    {
        using var content = new FormUrlEncodedContent([new("username", username), new("password", password), new("f", "json")]);
        var response = await client.PostAsync(GenerateTokenPath, content);
        return (response, await response.Content.ReadAsStringAsync());
    }

    // The digest an app's logs give a username: keyed per process, so only the app itself can compute it.
    internal static string Hash(TestApp app, string username)
        => GenerateTokenProtection.Of(app.App.Services)!.Lockout.Digest.LoggedFor(GenerateTokenLockout.KeyPrefix, username);

    // What logs used to show, and anyone could compute from a guess: `printf %s alice | sha256sum | cut -c1-12`.
    internal static string UnkeyedHash(string username)
        => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(username.ToLowerInvariant()))).ToLowerInvariant()[..12];

    private sealed class OnePasswordIssuer : ITokenIssuer
    {
        public ValueTask<IssuedToken?> IssueAsync(TokenIssueRequest request)
            => new(request.Username == Username && request.Password == Password ? new IssuedToken("t", DateTimeOffset.UnixEpoch.AddYears(60)) : null);
    }

    // Counts the password checks and holds them until released.
    private sealed class BlockingIssuer : ITokenIssuer
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _checks;

        public int Checks => Volatile.Read(ref _checks);

        public void Release() => _release.TrySetResult();

        public async ValueTask<IssuedToken?> IssueAsync(TokenIssueRequest request)
        {
            Interlocked.Increment(ref _checks);
            await _release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return null;
        }
    }

    // Down until a test says otherwise; then a working in-memory cache.
    private sealed class FailingCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _up = new(Options.Create(new Microsoft.Extensions.Caching.Memory.MemoryDistributedCacheOptions()));
        private int _calls;

        public int Calls => _calls;

        public bool Down { get; set; } = true;

        public byte[]? Get(string key) => Down ? throw Fail() : _up.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Down ? throw Fail() : _up.GetAsync(key, token);

        public void Refresh(string key)
        {
            if (Down)
            {
                throw Fail();
            }

            _up.Refresh(key);
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Down ? throw Fail() : _up.RefreshAsync(key, token);

        public void Remove(string key)
        {
            if (Down)
            {
                throw Fail();
            }

            _up.Remove(key);
        }

        public Task RemoveAsync(string key, CancellationToken token = default) => Down ? throw Fail() : _up.RemoveAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
            if (Down)
            {
                throw Fail();
            }

            _up.Set(key, value, options);
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
            => Down ? throw Fail() : _up.SetAsync(key, value, options, token);

        private InvalidOperationException Fail()
        {
            Interlocked.Increment(ref _calls);
            return new InvalidOperationException("the store is down");
        }
    }
}

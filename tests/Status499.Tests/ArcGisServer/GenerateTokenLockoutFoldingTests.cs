using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tests.Infrastructure;
using static Status499.Tests.ArcGisServer.ArcGisTokenTestKit;
using static Status499.Tests.ArcGisServer.GenerateTokenLockoutTests;

namespace Status499.Tests.ArcGisServer;

// Behind a real ASP.NET Core Identity store (UserManager, UpperInvariantLookupNormalizer, a store with SQL `=`
// semantics), every spelling the store signs in as one account must share that account's lockout count; otherwise
// each spelling is a fresh set of guesses.
public sealed class GenerateTokenLockoutFoldingTests
{
    private const string RightPassword = "Right-Passw0rd!";
    private const int MaxFailedAttempts = 4;

    [Theory]
    [InlineData("sysadmin", "sysadmin", "sy\u017Fadmin", "\u017Fysadmin", "\u017Fy\u017Fadmin")]
    [InlineData("jos\u00E9", "jos\u00E9", "jose\u0301", "JOS\u00C9", "JOSE\u0301")]
    [InlineData("\u03C3\u03BF\u03C6\u03AF\u03B1", "\u03C3\u03BF\u03C6\u03AF\u03B1", "\u03C2\u03BF\u03C6\u03AF\u03B1", "\u03A3\u039F\u03A6\u038A\u0391", "\u03C3\u03BF\u03C6\u03B9\u0301\u03B1")]
    [InlineData("demo", "demo", "demo ", "demo  ", "DEMO    ")]
    public async Task Spellings_an_Identity_store_signs_in_as_one_account_share_one_lockout(string account, params string[] spellings)
    {
        await using var app = await StartWithIdentityAsync([account]);
        using var client = Client(app);

        // The store takes every spelling as the account: each signs in (and a success clears the count).
        foreach (var spelling in spellings)
        {
            (await SignInAsync(client, spelling, RightPassword)).Body.Should().Contain("\"token\"", $"the store signs '{Escape(spelling)}' in as '{Escape(account)}'");
        }

        // Wrong passwords spread over the spellings: together they reach the limit.
        for (var i = 0; i < MaxFailedAttempts; i++)
        {
            (await SignInAsync(client, spellings[i % spellings.Length], "wrong-" + i)).Body.Should().Be(InvalidCredentialsBody);
        }

        foreach (var spelling in spellings)
        {
            (await SignInAsync(client, spelling, RightPassword)).Body.Should().Be(InvalidCredentialsBody, $"'{Escape(spelling)}' is locked out with its account");
        }
    }

    [Theory]
    [InlineData("sysadmin", "sy\u017Fadmin", "\u017Fysadmin", "\u017Fy\u017Fadmin")]
    [InlineData("jos\u00E9", "jose\u0301", "JOSE\u0301", "jose")]
    [InlineData("\u03C3\u03BF\u03C6\u03AF\u03B1", "\u03C2\u03BF\u03C6\u03AF\u03B1", "\u03A3\u039F\u03A6\u038A\u0391")]
    [InlineData("demo", "demo ", "demo   ", "\tdemo")]
    [InlineData("alice", "\uFF41\uFF4C\uFF49\uFF43\uFF45", "al\u200Bice", "ALICE\u00A0")]
    [InlineData("strasse", "stra\u00DFe", "STRA\u1E9EE")]
    public async Task Without_a_store_normaliser_the_lockout_folds_spellings_itself(string account, params string[] spellings)
    {
        // No Identity here: AddUser matches names exactly, and only the lockout's own folding can merge the spellings.
        await using var app = await StartAsync(configure: o =>
        {
            o.Lockout.MaxFailedAttempts = spellings.Length;
            if (account != Username)
            {
                o.AddUser(account, Password);
            }
        });
        using var client = Client(app);

        foreach (var spelling in spellings)
        {
            await SignInAsync(client, spelling, "wrong");
        }

        (await SignInAsync(client, account, Password)).Body.Should().Be(InvalidCredentialsBody);
    }

    [Fact]
    public async Task The_apps_ILookupNormalizer_is_applied_before_the_lockouts_own_folding()
    {
        // A store that ignores dots (as some mail providers do): the lockout can only know that from the store's normaliser.
        await using var app = await StartWithIdentityAsync(["jdoe"], s => s.AddSingleton<ILookupNormalizer, DotlessNormalizer>());
        using var client = Client(app);
        string[] spellings = ["jdoe", "j.doe", "jd.oe", "j.d.o.e"];

        (await SignInAsync(client, "j.d.o.e", RightPassword)).Body.Should().Contain("\"token\"");
        for (var i = 0; i < MaxFailedAttempts; i++)
        {
            await SignInAsync(client, spellings[i], "wrong-" + i);
        }

        (await SignInAsync(client, "jdoe", RightPassword)).Body.Should().Be(InvalidCredentialsBody);
    }

    [Fact]
    public async Task NormalizeUsername_tells_the_lockout_how_the_apps_own_store_matches()
    {
        await using var app = await StartAsync(configure: o =>
        {
            o.Lockout.MaxFailedAttempts = 2;
            o.Lockout.NormalizeUsername = name => name.Replace("-", string.Empty, StringComparison.Ordinal);
        });
        using var client = Client(app);

        await SignInAsync(client, "al-ice", "wrong-a");
        await SignInAsync(client, "a-l-i-c-e", "wrong-b");

        (await SignInAsync(client, Username, Password)).Body.Should().Be(InvalidCredentialsBody);
    }

    [Fact]
    public async Task Distinct_accounts_keep_distinct_counts()
    {
        // Folding merges spellings, not accounts: a Cyrillic look-alike is another name in every store.
        await using var app = await StartWithIdentityAsync(["sysadmin", "\u0455ysadmin"]);
        using var client = Client(app);

        for (var i = 0; i < MaxFailedAttempts; i++)
        {
            await SignInAsync(client, "\u0455ysadmin", "wrong-" + i);
        }

        (await SignInAsync(client, "sysadmin", RightPassword)).Body.Should().Contain("\"token\"");
        (await SignInAsync(client, "\u0455ysadmin", RightPassword)).Body.Should().Be(InvalidCredentialsBody);
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:X4}"));

    private static async Task<TestApp> StartWithIdentityAsync(string[] accounts, Action<IServiceCollection>? services = null)
    {
        var store = new InMemoryUserStore();
        var app = await TestApp.StartAsync(
            a => a.MapArcGisGenerateToken(),
            configureBuilder: b => b.AddArcGisSignedTokens(o =>
            {
                o.ValidateCredentials = async request =>
                {
                    var users = request.HttpContext.RequestServices.GetRequiredService<UserManager<StoredUser>>();
                    var user = await users.FindByNameAsync(request.Username);
                    return user is not null && await users.CheckPasswordAsync(user, request.Password);
                };
                o.Lockout.MaxFailedAttempts = MaxFailedAttempts;
                o.RateLimit.PermitLimit = 1000;
            }),
            services: s =>
            {
                s.AddIdentityCore<StoredUser>(o => o.User.AllowedUserNameCharacters = string.Empty);
                s.AddSingleton<IUserStore<StoredUser>>(store);
                services?.Invoke(s);
                var own = new InMemoryKeyRing();
                s.AddDataProtection().AddKeyManagementOptions(o => o.XmlRepository = own);
            });

        using var scope = app.App.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<StoredUser>>();
        foreach (var account in accounts)
        {
            var created = await users.CreateAsync(new StoredUser { UserName = account }, RightPassword);
            created.Succeeded.Should().BeTrue(string.Join(", ", created.Errors.Select(e => e.Description)));
        }

        return app;
    }

    public sealed class StoredUser
    {
        public string Id { get; } = Guid.NewGuid().ToString("N");

        public string? UserName { get; set; }

        public string? NormalizedUserName { get; set; }

        public string? PasswordHash { get; set; }
    }

    private sealed class DotlessNormalizer : ILookupNormalizer
    {
        private readonly UpperInvariantLookupNormalizer _inner = new();

        public string? NormalizeName(string? name) => _inner.NormalizeName(name?.Replace(".", string.Empty, StringComparison.Ordinal));

        public string? NormalizeEmail(string? email) => _inner.NormalizeEmail(email);
    }

    // Users in memory, found as SQL Server finds them with `=`: trailing spaces do not count.
    private sealed class InMemoryUserStore : IUserPasswordStore<StoredUser>
    {
        private readonly ConcurrentDictionary<string, StoredUser> _users = new();

        public Task<IdentityResult> CreateAsync(StoredUser user, CancellationToken cancellationToken)
        {
            _users[user.Id] = user;
            return Task.FromResult(IdentityResult.Success);
        }

        public Task<IdentityResult> UpdateAsync(StoredUser user, CancellationToken cancellationToken) => CreateAsync(user, cancellationToken);

        public Task<IdentityResult> DeleteAsync(StoredUser user, CancellationToken cancellationToken)
        {
            _users.TryRemove(user.Id, out _);
            return Task.FromResult(IdentityResult.Success);
        }

        public Task<StoredUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
            => Task.FromResult(_users.TryGetValue(userId, out var user) ? user : null);

        public Task<StoredUser?> FindByNameAsync(string normalizedUserName, CancellationToken cancellationToken)
            => Task.FromResult(_users.Values.FirstOrDefault(u => string.Equals(u.NormalizedUserName?.TrimEnd(' '), normalizedUserName.TrimEnd(' '), StringComparison.Ordinal)));

        public Task<string> GetUserIdAsync(StoredUser user, CancellationToken cancellationToken) => Task.FromResult(user.Id);

        public Task<string?> GetUserNameAsync(StoredUser user, CancellationToken cancellationToken) => Task.FromResult(user.UserName);

        public Task SetUserNameAsync(StoredUser user, string? userName, CancellationToken cancellationToken)
        {
            user.UserName = userName;
            return Task.CompletedTask;
        }

        public Task<string?> GetNormalizedUserNameAsync(StoredUser user, CancellationToken cancellationToken) => Task.FromResult(user.NormalizedUserName);

        public Task SetNormalizedUserNameAsync(StoredUser user, string? normalizedName, CancellationToken cancellationToken)
        {
            user.NormalizedUserName = normalizedName;
            return Task.CompletedTask;
        }

        public Task SetPasswordHashAsync(StoredUser user, string? passwordHash, CancellationToken cancellationToken)
        {
            user.PasswordHash = passwordHash;
            return Task.CompletedTask;
        }

        public Task<string?> GetPasswordHashAsync(StoredUser user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash);

        public Task<bool> HasPasswordAsync(StoredUser user, CancellationToken cancellationToken) => Task.FromResult(user.PasswordHash is not null);

        public void Dispose()
        {
        }
    }
}

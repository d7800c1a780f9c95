namespace Status499.ArcGisServer;

/// <summary>
/// How generateToken locks a username out after repeated wrong passwords (<see cref="ArcGisTokenOptions.Lockout"/>).
/// The defaults are the policy of the ArcGIS Server built-in user store: five consecutive failures within 15 minutes
/// lock the account for 15 minutes.
/// </summary>
/// <remarks>
/// <para>
/// Failures are counted per username, whether or not the user exists, so an unknown username locks exactly like a
/// known one and a lockout reveals no account. Spellings that a user store may match as one account share one count:
/// usernames are counted without surrounding white space, without zero-width and other format characters, in Unicode
/// compatibility form (NFKC: full-width letters, ligatures, <c>ſ</c> as <c>s</c>), without case (<c>ς</c> as
/// <c>σ</c>, <c>ß</c> as <c>ss</c>) and without diacritics (<c>josé</c> as <c>jose</c>). Two accounts may therefore
/// share a count, which only adds lockouts. A store that matches names more loosely still (look-alike letters of other
/// scripts, punctuation) should say how through <see cref="NormalizeUsername"/>. While a username is locked out every request for
/// it, the right password included, gets the same answer as a wrong password, without asking the
/// <see cref="ITokenIssuer"/>. A successful sign-in clears the count.
/// </para>
/// <para>
/// The counts live in the <c>IDistributedCache</c> registered in dependency injection (a private in-memory cache when
/// none is), so instances of a farm that share a Redis cache (<c>AddStackExchangeRedisCache</c>) share the lockout.
/// </para>
/// </remarks>
public sealed class ArcGisTokenLockoutOptions
{
    /// <summary>Counts failures and locks usernames out. On by default; turn it off only when the user store locks accounts itself.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The number of consecutive failures within <see cref="FailureWindow"/> that starts a lockout. Defaults to 5.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>
    /// How long failures are remembered, counted from the first failure: fewer than <see cref="MaxFailedAttempts"/> in
    /// this time are forgotten. Defaults to 15 minutes.
    /// </summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a lockout lasts. Defaults to 15 minutes.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How the user store matches usernames, applied to a username before the lockout's own folding (see remarks), so
    /// that every spelling the store accepts as one account shares one count. When not set, the
    /// <c>Microsoft.AspNetCore.Identity.ILookupNormalizer</c> registered in dependency injection is used, if any
    /// (ASP.NET Core Identity registers one); otherwise only the lockout's own folding applies.
    /// </summary>
    public Func<string, string>? NormalizeUsername { get; set; }
}

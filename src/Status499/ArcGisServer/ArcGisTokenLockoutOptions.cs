namespace Status499.ArcGisServer;

/// <summary>
/// How generateToken locks a username out after repeated wrong passwords (<see cref="ArcGisTokenOptions.Lockout"/>).
/// The defaults are the policy of the ArcGIS Server built-in user store: five consecutive failures within 15 minutes
/// lock the account for 15 minutes.
/// </summary>
/// <remarks>
/// <para>
/// Failures are counted per username, whether or not the user exists, so an unknown username locks exactly like a
/// known one and a lockout reveals no account. Usernames that differ only in case share one count, so a
/// case-insensitive user store cannot be guessed around the lockout. While a username is locked out every request for
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
}

namespace Status499.ArcGisServer;

internal enum GenerateTokenAttemptVerdict
{
    // Ask the ITokenIssuer; the attempt is counted.
    Allowed,

    // The username is locked out: answer as for a wrong password, without asking the issuer.
    LockedOut,

    // The lockout store failed: refuse (fail closed); the failure is logged.
    StoreFailed,

    // The client left while the store was read: answer nothing.
    ClientGone,
}

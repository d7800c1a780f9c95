namespace Status499.Tokens;

/// <summary>The result of token validation on a <see cref="Status499Meaning.TokenRequired"/> route.</summary>
public enum TokenOutcome
{
    /// <summary>No token check ran (the route is not <see cref="Status499Meaning.TokenRequired"/>).</summary>
    NotChecked = 0,

    /// <summary>The token was valid; the request reached the endpoint.</summary>
    Accepted = 1,

    /// <summary>No token was sent: answered with code 499 Token Required.</summary>
    Missing = 2,

    /// <summary>The token was not valid: answered with code 498.</summary>
    Invalid = 3,

    /// <summary>The token had expired: answered with code 498, as ArcGIS does.</summary>
    Expired = 4,

    /// <summary>The token was valid but not allowed here: answered with code 403.</summary>
    Forbidden = 5,

    /// <summary>The validator threw or timed out: the request failed closed with code 498.</summary>
    ValidatorFailed = 6,

    /// <summary>The token could not be read (conflicting sources, several values, oversized, malformed header): answered with code 400.</summary>
    Malformed = 7,
}

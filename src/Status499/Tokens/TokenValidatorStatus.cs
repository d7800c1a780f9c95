namespace Status499.Tokens;

/// <summary>The verdict of a token validator.</summary>
/// <remarks><see cref="Invalid"/> is zero, so an uninitialised <c>default(TokenValidatorResult)</c> refuses the request.</remarks>
public enum TokenValidatorStatus
{
    /// <summary>The token is not valid: ArcGIS code 498.</summary>
    Invalid = 0,

    /// <summary>The token grants access: the request continues to the endpoint.</summary>
    Valid = 1,

    /// <summary>The token has expired: ArcGIS code 498 (ArcGIS has no separate code), logged as expired.</summary>
    Expired = 2,

    /// <summary>The token is valid but does not grant this resource: code 403.</summary>
    Forbidden = 3,
}

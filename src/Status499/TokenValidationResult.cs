using System.Security.Claims;

namespace Status499;

/// <summary>The result of <see cref="ITokenValidator.ValidateAsync"/>. A struct, so a synchronous validator allocates nothing.</summary>
public readonly struct TokenValidationResult
{
    private TokenValidationResult(TokenValidationStatus status, ClaimsPrincipal? user)
    {
        Status = status;
        User = user;
    }

    /// <summary>The verdict.</summary>
    public TokenValidationStatus Status { get; }

    /// <summary>The user the token stands for, set as <c>HttpContext.User</c> when <see cref="Status"/> is valid.</summary>
    public ClaimsPrincipal? User { get; }

    /// <summary>The token grants access.</summary>
    /// <param name="user">The user to set as <c>HttpContext.User</c>; <see langword="null"/> leaves it unchanged.</param>
    /// <returns>A valid result.</returns>
    public static TokenValidationResult Valid(ClaimsPrincipal? user = null) => new(TokenValidationStatus.Valid, user);

    /// <summary>The token is not valid (answered with code 498).</summary>
    /// <returns>An invalid result.</returns>
    public static TokenValidationResult Invalid() => new(TokenValidationStatus.Invalid, null);

    /// <summary>The token has expired (answered with code 498, logged as expired).</summary>
    /// <returns>An expired result.</returns>
    public static TokenValidationResult Expired() => new(TokenValidationStatus.Expired, null);

    /// <summary>The token is valid but not allowed here (answered with code 403).</summary>
    /// <returns>A forbidden result.</returns>
    public static TokenValidationResult Forbidden() => new(TokenValidationStatus.Forbidden, null);
}

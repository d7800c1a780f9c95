using System.Security.Claims;

namespace Status499.Tokens;

/// <summary>The result of <see cref="ITokenValidator.ValidateAsync"/>. A struct, so a synchronous validator allocates nothing.</summary>
public readonly struct TokenValidatorResult
{
    private TokenValidatorResult(TokenValidatorStatus status, ClaimsPrincipal? user)
    {
        Status = status;
        User = user;
    }

    /// <summary>The verdict.</summary>
    public TokenValidatorStatus Status { get; }

    /// <summary>The user the token stands for, set as <c>HttpContext.User</c> when <see cref="Status"/> is valid.</summary>
    public ClaimsPrincipal? User { get; }

    /// <summary>The token grants access.</summary>
    /// <param name="user">The user to set as <c>HttpContext.User</c>; <see langword="null"/> leaves it unchanged.</param>
    /// <returns>A valid result.</returns>
    public static TokenValidatorResult Valid(ClaimsPrincipal? user = null) => new(TokenValidatorStatus.Valid, user);

    /// <summary>The token is not valid (answered with code 498).</summary>
    /// <returns>An invalid result.</returns>
    public static TokenValidatorResult Invalid() => new(TokenValidatorStatus.Invalid, null);

    /// <summary>The token has expired (answered with code 498, logged as expired).</summary>
    /// <returns>An expired result.</returns>
    public static TokenValidatorResult Expired() => new(TokenValidatorStatus.Expired, null);

    /// <summary>The token is valid but not allowed here (answered with code 403).</summary>
    /// <returns>A forbidden result.</returns>
    public static TokenValidatorResult Forbidden() => new(TokenValidatorStatus.Forbidden, null);
}

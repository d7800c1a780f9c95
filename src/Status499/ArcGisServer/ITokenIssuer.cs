namespace Status499.ArcGisServer;

/// <summary>
/// Checks a user's credentials and issues a token; called by the generateToken endpoint
/// (<c>MapArcGisGenerateToken</c>). Register one in dependency injection, or use
/// <c>AddStatus499().AddArcGisSignedTokens(...)</c>, which registers a signing issuer and a validator that accepts its tokens.
/// </summary>
/// <remarks>
/// Return <see langword="null"/> for bad credentials, whether the user is unknown or the password is wrong, and take
/// about as long either way, so that callers cannot tell which usernames exist. Never log the password or the token,
/// and never put either into an exception message.
/// </remarks>
public interface ITokenIssuer
{
    /// <summary>Checks the credentials of <paramref name="request"/> and issues a token.</summary>
    /// <param name="request">The credentials, the client binding and the lifetime the endpoint granted.</param>
    /// <returns>The token, or <see langword="null"/> when the credentials are not valid.</returns>
    ValueTask<IssuedToken?> IssueAsync(TokenIssueRequest request);
}

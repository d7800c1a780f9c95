namespace Status499.Tokens;

/// <summary>
/// Decides whether a token grants access to a <see cref="Status499Meaning.TokenRequired"/> request. Register one with
/// <c>AddStatus499().AddTokenValidator&lt;T&gt;()</c>.
/// </summary>
/// <remarks>
/// Return <see cref="TokenValidatorResult.Invalid"/> or <see cref="TokenValidatorResult.Expired"/> rather than
/// throwing: an exception or a timeout fails closed (the request is refused with code 498 and the exception is logged
/// without the token). Never put the token into an exception message.
/// </remarks>
public interface ITokenValidator
{
    /// <summary>Validates <see cref="TokenValidatorContext.Token"/>.</summary>
    /// <param name="context">The token, where it came from, and the request.</param>
    /// <returns>The verdict.</returns>
    ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context);
}

namespace Status499;

internal sealed class DelegateTokenValidator(Func<TokenValidationContext, ValueTask<TokenValidationResult>> validate) : ITokenValidator
{
    public ValueTask<TokenValidationResult> ValidateAsync(TokenValidationContext context) => validate(context);
}

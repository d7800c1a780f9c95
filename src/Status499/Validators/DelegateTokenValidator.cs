using Status499.Tokens;

namespace Status499.Validators;

internal sealed class DelegateTokenValidator(Func<TokenValidatorContext, ValueTask<TokenValidatorResult>> validate) : ITokenValidator
{
    public ValueTask<TokenValidatorResult> ValidateAsync(TokenValidatorContext context) => validate(context);
}

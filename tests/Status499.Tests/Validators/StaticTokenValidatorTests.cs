using Microsoft.AspNetCore.Http;

namespace Status499.Tests.Validators;

public sealed class StaticTokenValidatorTests
{
    private static async Task<TokenValidatorStatus> ValidateAsync(StaticTokenValidator validator, string token)
        => (await validator.ValidateAsync(new TokenValidatorContext { HttpContext = new DefaultHttpContext(), Token = token, Source = TokenSource.Query })).Status;

    [Fact]
    public async Task Accepts_exactly_the_configured_tokens()
    {
        var validator = new StaticTokenValidator(["alpha", "beta-" + new string('x', 2000)]);

        (await ValidateAsync(validator, "alpha")).Should().Be(TokenValidatorStatus.Valid);
        (await ValidateAsync(validator, "beta-" + new string('x', 2000))).Should().Be(TokenValidatorStatus.Valid);
        (await ValidateAsync(validator, "Alpha")).Should().Be(TokenValidatorStatus.Invalid);
        (await ValidateAsync(validator, "alph")).Should().Be(TokenValidatorStatus.Invalid);
        (await ValidateAsync(validator, "alphaa")).Should().Be(TokenValidatorStatus.Invalid);
    }

    [Fact]
    public void Refuses_an_empty_token_set()
        => FluentActions.Invoking(() => new StaticTokenValidator(["", ""])).Should().Throw<ArgumentException>();
}

using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Status499.Tokens;
using Status499.Validators;

namespace Status499;

/// <summary>
/// Returned by <c>AddStatus499</c> to register how tokens are validated on <see cref="Status499Meaning.TokenRequired"/>
/// routes. One validator is used: registering a second one is an error, except through <c>AddArcGisSignedTokens</c>,
/// which keeps the validator registered before it as a fallback.
/// </summary>
public sealed class Status499Builder
{
    internal Status499Builder(IServiceCollection services) => Services = services;

    /// <summary>The application's service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Validates tokens with <typeparamref name="TValidator"/>, created by dependency injection.</summary>
    /// <typeparam name="TValidator">The validator type.</typeparam>
    /// <param name="lifetime">
    /// The validator's lifetime. Singleton (the default) costs nothing per request; use Scoped when it depends on
    /// scoped services such as a DbContext.
    /// </param>
    /// <returns>This builder.</returns>
    public Status499Builder AddTokenValidator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(
        ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TValidator : class, ITokenValidator
    {
        EnsureNoValidatorYet();
        Services.Add(new ServiceDescriptor(typeof(ITokenValidator), typeof(TValidator), lifetime));
        return this;
    }

    /// <summary>Validates tokens with a delegate.</summary>
    /// <param name="validate">Returns the verdict for a token; see <see cref="ITokenValidator"/> for the rules it must follow.</param>
    /// <returns>This builder.</returns>
    public Status499Builder AddTokenValidator(Func<TokenValidatorContext, ValueTask<TokenValidatorResult>> validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        EnsureNoValidatorYet();
        Services.AddSingleton<ITokenValidator>(new DelegateTokenValidator(validate));
        return this;
    }

    /// <summary>
    /// Accepts exactly the given tokens, compared in fixed time. Meant for development, tests and simple shared keys;
    /// use <see cref="AddAuthenticationSchemeTokenValidator"/> or your own validator for user tokens.
    /// </summary>
    /// <param name="tokens">The accepted tokens; at least one non-empty.</param>
    /// <returns>This builder.</returns>
    // A params array, not a params collection: C# 12 (net8.0's default language version) cannot call a
    // params IEnumerable with a list of arguments (CS1501).
    public Status499Builder AddStaticTokens(params string[] tokens) => AddStaticTokens((IEnumerable<string>)tokens);

    /// <summary>
    /// Accepts exactly the given tokens, compared in fixed time. Meant for development, tests and simple shared keys;
    /// use <see cref="AddAuthenticationSchemeTokenValidator"/> or your own validator for user tokens.
    /// </summary>
    /// <param name="tokens">The accepted tokens, for example read from configuration; at least one non-empty.</param>
    /// <returns>This builder.</returns>
    public Status499Builder AddStaticTokens(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        EnsureNoValidatorYet();
        Services.AddSingleton<ITokenValidator>(new StaticTokenValidator(tokens));
        return this;
    }

    /// <summary>
    /// Validates tokens with an ASP.NET Core authentication scheme you already have (for example JwtBearer): the token,
    /// from whichever source the client used, is handed to <c>AuthenticateAsync(scheme)</c> as a bearer token. A
    /// successful result sets <c>HttpContext.User</c>; an expired JWT is answered 498 and logged as expired.
    /// </summary>
    /// <param name="scheme">The authentication scheme name, for example <c>JwtBearerDefaults.AuthenticationScheme</c>.</param>
    /// <returns>This builder.</returns>
    public Status499Builder AddAuthenticationSchemeTokenValidator(string scheme)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        EnsureNoValidatorYet();
        Services.AddSingleton<ITokenValidator>(new AuthenticationSchemeTokenValidator(scheme));
        return this;
    }

    // The one scan for the app's token validator (AddArcGisSignedTokens uses it to find its fallback).
    internal ServiceDescriptor? RegisteredValidator()
    {
        for (var i = Services.Count - 1; i >= 0; i--)
        {
            if (Services[i].ServiceType == typeof(ITokenValidator) && !Services[i].IsKeyedService)
            {
                return Services[i];
            }
        }

        return null;
    }

    // Two validators would silently drop one of them; say so while the app is being configured.
    private void EnsureNoValidatorYet()
    {
        if (RegisteredValidator() is not null)
        {
            throw new InvalidOperationException(
                "A token validator is already registered. Status499 uses one ITokenValidator; combine several in your own " +
                "validator, or call AddArcGisSignedTokens last to accept its tokens and fall back to the one registered before.");
        }
    }
}

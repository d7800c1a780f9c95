using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Options;

namespace Status499.Configuration;

// Runs at startup (ValidateOnStart): a bad option stops the host with a message naming the key, instead of
// surfacing later as a 500 or as a rule that silently never matches.
internal sealed class Status499OptionsValidator : IValidateOptions<Status499Options>
{
    public ValidateOptionsResult Validate(string? name, Status499Options options)
    {
        var errors = new List<string>(options.ConfigurationErrors);

        if (!Enum.IsDefined(options.DefaultMeaning))
        {
            errors.Add($"Status499:DefaultMeaning has the undefined value {(int)options.DefaultMeaning}.");
        }

        if (options.WastedWorkLogThreshold < TimeSpan.Zero)
        {
            errors.Add($"Status499:WastedWorkLogThreshold must not be negative; it is {options.WastedWorkLogThreshold}.");
        }

        foreach (var mapping in options.Routes)
        {
            if (!Enum.IsDefined(mapping.Meaning))
            {
                errors.Add($"{mapping.Source}: the meaning {(int)mapping.Meaning} is not a defined Status499Meaning.");
            }

            RoutePattern pattern;
            try
            {
                pattern = RoutePatternFactory.Parse(mapping.RoutePattern);
            }
            catch (RoutePatternException ex)
            {
                errors.Add($"{mapping.Source}: '{mapping.RoutePattern}' is not a valid route pattern: {ex.Message}");
                continue;
            }

            if (HasGlobOutsideCatchAll(pattern))
            {
                errors.Add($"{mapping.Source}: '{mapping.RoutePattern}' has a '*' outside a parameter, which matches only a literal '*'. " +
                    "Route patterns are ASP.NET Core route templates: write '/api/{**rest}' for everything under /api.");
            }

            foreach (var parameter in pattern.Parameters)
            {
                if (parameter.ParameterPolicies.Count > 0)
                {
                    errors.Add($"{mapping.Source}: the parameter '{parameter.Name}' has a constraint; constraints are not supported in Status499 route patterns.");
                }
            }
        }

        TokenRequiredOptionsValidator.Validate(options.Token, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // A glob-style '/api/*' parses as a literal segment and would silently protect only the path '/api/*'.
    private static bool HasGlobOutsideCatchAll(RoutePattern pattern)
    {
        foreach (var segment in pattern.PathSegments)
        {
            foreach (var part in segment.Parts)
            {
                if (part is RoutePatternLiteralPart literal && literal.Content.Contains('*', StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

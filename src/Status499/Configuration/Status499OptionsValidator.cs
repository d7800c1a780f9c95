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
            if (!Enum.IsDefined(mapping.Value))
            {
                errors.Add($"{mapping.Source}: the meaning {(int)mapping.Value} is not a defined Status499Meaning.");
            }

            ValidatePattern(mapping.RoutePattern, mapping.Source, errors);
        }

        // At most a day: continued work is meant to be short, and the timer behind it (CancelAfter) refuses ~49.7 days.
        if (options.ContinueAfterClientAbortLimit <= TimeSpan.Zero || options.ContinueAfterClientAbortLimit > Status499Options.MaxContinueAfterClientAbortLimit)
        {
            errors.Add($"Status499:ContinueAfterClientAbortLimit must be positive and at most {Status499Options.MaxContinueAfterClientAbortLimit}; it is {options.ContinueAfterClientAbortLimit}.");
        }

        foreach (var mapping in options.ContinueAfterClientAbortRoutes)
        {
            if (mapping.Value <= TimeSpan.Zero)
            {
                errors.Add($"{mapping.Source}: the maximum must be positive; it is {mapping.Value}.");
            }

            ValidatePattern(mapping.RoutePattern, mapping.Source, errors);
        }

        TokenRequiredOptionsValidator.Validate(options.Token, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidatePattern(string routePattern, string source, List<string> errors)
    {
        RoutePattern pattern;
        try
        {
            pattern = RoutePatternFactory.Parse(routePattern);
        }
        catch (RoutePatternException ex)
        {
            errors.Add($"{source}: '{routePattern}' is not a valid route pattern: {ex.Message}");
            return;
        }

        if (HasGlobOutsideCatchAll(pattern))
        {
            errors.Add($"{source}: '{routePattern}' has a '*' outside a parameter, which matches only a literal '*'. " +
                $"Route patterns are ASP.NET Core route templates{RoutePatternSuggestion.ForGlob(pattern)}.");
        }

        var constrained = pattern.Parameters.Where(p => p.ParameterPolicies.Count > 0).Select(p => $"'{p.Name}'").ToList();
        if (constrained.Count > 0)
        {
            errors.Add($"{source}: the parameter{(constrained.Count > 1 ? "s" : "")} {string.Join(", ", constrained)} " +
                $"{(constrained.Count > 1 ? "have constraints" : "has a constraint")}; constraints are not supported in Status499 route patterns " +
                $"(they decide which paths a rule covers, not which values an endpoint accepts){RoutePatternSuggestion.WithoutConstraints(pattern)}.");
        }
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

using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Status499.ArcGisErrors;
using Status499.Tokens;

namespace Status499.Configuration;

// Binds the Status499 configuration section. The framework's source-generated binder does the work (trimming/AOT-safe,
// errors name the key: https://learn.microsoft.com/dotnet/core/extensions/configuration-generator); this class only
// adds what that binder cannot do. Every problem goes to ConfigurationErrors, which Status499OptionsValidator reports at
// startup together with the other validation errors, as one OptionsValidationException.
internal static class Status499ConfigurationBinder
{
    public static void Bind(IConfiguration configuration, Status499Options options)
    {
        var errors = options.ConfigurationErrors;
        var token = configuration.GetSection(nameof(Status499Options.Token));

        // A configured list replaces the default sources; the binder would append to them.
        if (token.GetSection(nameof(TokenRequiredOptions.Sources)).GetChildren().Any())
        {
            options.Token.Sources.Clear();
        }

        // Unknown keys are found here, all of them, each named by its path with the nearest known key; the binder's own
        // check stays on as a backstop only when none was found (it stops at the first and names the options type).
        var unknownKeys = ReportUnknownKeys(configuration, errors);
        try
        {
            // The generator also knows Status499Options' internal Routes properties, so the route sections, read below,
            // are not unknown keys to it.
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = !unknownKeys);

            // The binder reads enums with Enum.Parse, which also takes numbers ("2") and lists ("None, TokenRequired"):
            // they hide what is meant and change meaning if the enum changes, so only names are accepted.
            RequireName<Status499Meaning>(configuration.GetSection(nameof(Status499Options.DefaultMeaning)), errors);
            RequireName<LogLevel>(configuration.GetSection(nameof(Status499Options.ClientClosedRequestLogLevel)), errors);
            RequireName<ArcGisDialect>(token.GetSection(nameof(TokenRequiredOptions.Dialect)), errors);
            RequireName<TokenErrorStatusMode>(token.GetSection(nameof(TokenRequiredOptions.StatusMode)), errors);
            foreach (var source in token.GetSection(nameof(TokenRequiredOptions.Sources)).GetChildren())
            {
                RequireName<TokenSource>(source, errors);
            }
        }
        catch (InvalidOperationException ex)
        {
            // The binder stops at the first error. A value that does not convert has the parse error as its inner
            // exception and the full key in the message.
            errors.Add(ex.InnerException is { } parse
                ? $"{ex.Message} {parse.Message}"
                : $"{PathOf(configuration)}: {ex.Message}");
        }

        // Routes are not a bindable list: MapRoute builds them, and each keeps its key so errors can name it.
        foreach (var route in configuration.GetSection(nameof(Status499Options.Routes)).GetChildren())
        {
            // Configuration keys are case-insensitive: "pattern" and the environment's ROUTES__0__PATTERN are Pattern.
            foreach (var setting in route.GetChildren())
            {
                if (!KnownSettings.IsOneOf(setting.Key, KnownSettings.Route))
                {
                    errors.Add($"{setting.Path} is not a route setting; a route has a Pattern and a Meaning.{KnownSettings.DidYouMean(setting.Key, KnownSettings.Route)}");
                }
            }

            var pattern = route["Pattern"];
            var meaning = route.GetSection("Meaning");
            if (string.IsNullOrWhiteSpace(pattern))
            {
                errors.Add($"{route.Path}:Pattern is missing; each route needs a Pattern and a Meaning.");
            }
            else if (string.IsNullOrEmpty(meaning.Value))
            {
                errors.Add($"{meaning.Path} is missing; each route needs a Pattern and a Meaning.");
            }
            else if (RequireName<Status499Meaning>(meaning, errors) is { } value)
            {
                options.AddConfiguredRoute(pattern, value, route.Path + ":Pattern");
            }
        }

        BindContinueRoutes(configuration, options, errors);
    }

    // ContinueAfterClientAbortRoutes: [ { "Pattern": "/payments/{**rest}", "Maximum": "00:00:45" } ], Maximum optional.
    // Built like Routes, so each keeps its key for error messages.
    private static void BindContinueRoutes(IConfiguration configuration, Status499Options options, List<string> errors)
    {
        foreach (var route in configuration.GetSection(nameof(Status499Options.ContinueAfterClientAbortRoutes)).GetChildren())
        {
            foreach (var setting in route.GetChildren())
            {
                if (!KnownSettings.IsOneOf(setting.Key, KnownSettings.ContinueRoute))
                {
                    errors.Add($"{setting.Path} is not a ContinueAfterClientAbort route setting; a route has a Pattern and an optional Maximum.{KnownSettings.DidYouMean(setting.Key, KnownSettings.ContinueRoute)}");
                }
            }

            var pattern = route["Pattern"];
            if (string.IsNullOrWhiteSpace(pattern))
            {
                errors.Add($"{route.Path}:Pattern is missing; each ContinueAfterClientAbort route needs a Pattern.");
                continue;
            }

            TimeSpan? maximum = null;
            var setMaximum = route.GetSection("Maximum");
            if (setMaximum.Value is { } text)
            {
                if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) || value <= TimeSpan.Zero)
                {
                    errors.Add($"{setMaximum.Path} has the value '{text}', which is not a positive time span such as 00:00:45.");
                    continue;
                }

                maximum = value;
            }

            options.AddConfiguredContinueRoute(pattern, maximum, route.Path + ":Pattern");
        }
    }

    // Reports every key of the section and of its Token section that is not a setting, by path, with the nearest known
    // key. The route lists check their own entries. True when one was found.
    private static bool ReportUnknownKeys(IConfiguration configuration, List<string> errors)
    {
        var found = false;
        foreach (var setting in configuration.GetChildren())
        {
            if (!KnownSettings.IsOneOf(setting.Key, KnownSettings.Root))
            {
                errors.Add($"{setting.Path} is not a Status499 setting.{KnownSettings.DidYouMean(setting.Key, KnownSettings.Root)}");
                found = true;
            }
        }

        foreach (var setting in configuration.GetSection(nameof(Status499Options.Token)).GetChildren())
        {
            if (!KnownSettings.IsOneOf(setting.Key, KnownSettings.Token))
            {
                errors.Add($"{setting.Path} is not a Status499 token setting.{KnownSettings.DidYouMean(setting.Key, KnownSettings.Token)}");
                found = true;
            }
        }

        return found;
    }

    private static string PathOf(IConfiguration configuration) => configuration is IConfigurationSection section ? section.Path : "Status499";

    // The value if the setting is one of TEnum's names (any case); null if it is absent (the binder kept the default) or
    // is not a name, which adds an error naming its key.
    private static TEnum? RequireName<TEnum>(IConfigurationSection setting, List<string> errors)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(setting.Value))
        {
            return null;
        }

        foreach (var name in Enum.GetNames<TEnum>())
        {
            if (string.Equals(name, setting.Value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return Enum.Parse<TEnum>(name);
            }
        }

        errors.Add($"{setting.Path} has the value '{setting.Value}', which is not one of: {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return null;
    }
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Status499.Configuration;

// Hand-written binding: no reflection (trimming/AOT-safe), and every bad value is reported with its full
// configuration key instead of the binder's generic message.
internal static class Status499ConfigurationBinder
{
    public static void Bind(IConfiguration configuration, Status499Options options)
    {
        var errors = options.ConfigurationErrors;

        if (configuration[nameof(Status499Options.DefaultMeaning)] is { } defaultMeaning)
        {
            if (TryParseEnum<Status499Meaning>(defaultMeaning, out var meaning))
            {
                options.DefaultMeaning = meaning;
            }
            else
            {
                errors.Add(Invalid(configuration, nameof(Status499Options.DefaultMeaning), defaultMeaning, "None, ClientClosedRequest, TokenRequired"));
            }
        }

        if (configuration[nameof(Status499Options.ClientClosedRequestLogLevel)] is { } level)
        {
            if (TryParseEnum<LogLevel>(level, out var logLevel))
            {
                options.ClientClosedRequestLogLevel = logLevel;
            }
            else
            {
                errors.Add(Invalid(configuration, nameof(Status499Options.ClientClosedRequestLogLevel), level, "Trace, Debug, Information, Warning, Error, Critical, None"));
            }
        }

        foreach (var route in configuration.GetSection(nameof(Status499Options.Routes)).GetChildren())
        {
            var pattern = route["Pattern"];
            var meaningText = route["Meaning"];
            if (string.IsNullOrWhiteSpace(pattern))
            {
                errors.Add($"{route.Path}:Pattern is missing; each route needs a Pattern and a Meaning.");
                continue;
            }

            if (meaningText is null || !TryParseEnum<Status499Meaning>(meaningText, out var meaning))
            {
                errors.Add(Invalid(route, "Meaning", meaningText, "None, ClientClosedRequest, TokenRequired"));
                continue;
            }

            options.AddConfiguredRoute(pattern, meaning, route.Path + ":Pattern");
        }

        TokenConfigurationBinder.Bind(configuration.GetSection(nameof(Status499Options.Token)), options.Token, errors);
    }

    internal static bool TryParseEnum<TEnum>(string value, out TEnum result)
        where TEnum : struct, Enum
        => Enum.TryParse(value, ignoreCase: true, out result) && Enum.IsDefined(result) && !int.TryParse(value, out _);

    internal static string Invalid(IConfiguration section, string key, string? value, string allowed)
    {
        var path = section is IConfigurationSection s ? s.Path + ":" + key : key;
        return $"{path} has the value '{value}', which is not one of: {allowed}.";
    }
}

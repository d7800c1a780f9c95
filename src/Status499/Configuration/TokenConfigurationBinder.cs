using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Status499.Configuration;

// Binds the "Token" section of Status499's configuration; each bad value is reported with its full key.
internal static class TokenConfigurationBinder
{
    public static void Bind(IConfiguration configuration, TokenRequiredOptions options, List<string> errors)
    {
        var sources = configuration.GetSection(nameof(TokenRequiredOptions.Sources));
        if (sources.GetChildren().Any())
        {
            options.Sources.Clear();
            foreach (var child in sources.GetChildren())
            {
                if (child.Value is { } text && Status499ConfigurationBinder.TryParseEnum<TokenSource>(text, out var source) && source != TokenSource.None)
                {
                    options.Sources.Add(source);
                }
                else
                {
                    errors.Add(Status499ConfigurationBinder.Invalid(sources, child.Key, child.Value, "EsriAuthorizationHeader, AuthorizationHeader, Query, Form, Cookie"));
                }
            }
        }

        if (configuration[nameof(TokenRequiredOptions.CookieName)] is { } cookie)
        {
            options.CookieName = cookie;
        }

        BindEnum(configuration, nameof(TokenRequiredOptions.Dialect), "Online, Enterprise", errors, (ArcGisDialect v) => options.Dialect = v);
        BindEnum(configuration, nameof(TokenRequiredOptions.StatusMode), "Auto, ArcGisCompatible, StatusCode", errors, (TokenErrorStatusMode v) => options.StatusMode = v);

        if (configuration[nameof(TokenRequiredOptions.MaxTokenLength)] is { } max)
        {
            if (int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                options.MaxTokenLength = length;
            }
            else
            {
                errors.Add(Status499ConfigurationBinder.Invalid(configuration, nameof(TokenRequiredOptions.MaxTokenLength), max, "a positive whole number of characters"));
            }
        }

        if (configuration[nameof(TokenRequiredOptions.MaxFormLength)] is { } maxForm)
        {
            if (long.TryParse(maxForm, NumberStyles.None, CultureInfo.InvariantCulture, out var formLength))
            {
                options.MaxFormLength = formLength;
            }
            else
            {
                errors.Add(Status499ConfigurationBinder.Invalid(configuration, nameof(TokenRequiredOptions.MaxFormLength), maxForm, "a positive whole number of bytes"));
            }
        }

        if (configuration[nameof(TokenRequiredOptions.ValidationTimeout)] is { } timeout)
        {
            if (TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var value))
            {
                options.ValidationTimeout = value;
            }
            else
            {
                errors.Add(Status499ConfigurationBinder.Invalid(configuration, nameof(TokenRequiredOptions.ValidationTimeout), timeout, "a time span such as 00:00:10"));
            }
        }

        BindBool(configuration, nameof(TokenRequiredOptions.EnableJsonp), errors, v => options.EnableJsonp = v);
        BindBool(configuration, nameof(TokenRequiredOptions.PreferProblemDetails), errors, v => options.PreferProblemDetails = v);

        options.TokenRequiredMessage = configuration[nameof(TokenRequiredOptions.TokenRequiredMessage)] ?? options.TokenRequiredMessage;
        options.InvalidTokenMessage = configuration[nameof(TokenRequiredOptions.InvalidTokenMessage)] ?? options.InvalidTokenMessage;
        options.ForbiddenMessage = configuration[nameof(TokenRequiredOptions.ForbiddenMessage)] ?? options.ForbiddenMessage;
    }

    private static void BindEnum<TEnum>(IConfiguration configuration, string key, string allowed, List<string> errors, Action<TEnum> set)
        where TEnum : struct, Enum
    {
        if (configuration[key] is not { } text)
        {
            return;
        }

        if (Status499ConfigurationBinder.TryParseEnum<TEnum>(text, out var value))
        {
            set(value);
        }
        else
        {
            errors.Add(Status499ConfigurationBinder.Invalid(configuration, key, text, allowed));
        }
    }

    private static void BindBool(IConfiguration configuration, string key, List<string> errors, Action<bool> set)
    {
        if (configuration[key] is not { } text)
        {
            return;
        }

        if (bool.TryParse(text, out var value))
        {
            set(value);
        }
        else
        {
            errors.Add(Status499ConfigurationBinder.Invalid(configuration, key, text, "true, false"));
        }
    }
}

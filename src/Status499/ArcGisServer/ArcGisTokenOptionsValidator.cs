using Microsoft.Extensions.Options;

namespace Status499.ArcGisServer;

// Runs at startup (ValidateOnStart), registered by AddArcGisSignedTokens: a bad option stops the host with a message
// naming it.
internal sealed class ArcGisTokenOptionsValidator : IValidateOptions<ArcGisTokenOptions>
{
    public ValidateOptionsResult Validate(string? name, ArcGisTokenOptions options)
    {
        var errors = new List<string>();

        if (options.MaxExpiration > TimeSpan.FromDays(365))
        {
            errors.Add($"ArcGisTokenOptions.MaxExpiration must be at most 365 days; it is {options.MaxExpiration}.");
        }
        else if (options.MaxExpiration < TimeSpan.FromSeconds(1))
        {
            errors.Add($"ArcGisTokenOptions.MaxExpiration must be at least one second; it is {options.MaxExpiration}.");
        }

        if (options.DefaultExpiration < TimeSpan.FromSeconds(1))
        {
            errors.Add($"ArcGisTokenOptions.DefaultExpiration must be at least one second; it is {options.DefaultExpiration}.");
        }
        else if (options.DefaultExpiration > options.MaxExpiration)
        {
            errors.Add($"ArcGisTokenOptions.DefaultExpiration ({options.DefaultExpiration}) must not exceed ArcGisTokenOptions.MaxExpiration ({options.MaxExpiration}).");
        }

        if (options.ValidateCredentials is null && options.Users.Count == 0)
        {
            errors.Add("ArcGisTokenOptions: set ValidateCredentials or call AddUser; without either no credentials are valid.");
        }
        else if (options.ValidateCredentials is not null && options.Users.Count > 0)
        {
            errors.Add("ArcGisTokenOptions: set ValidateCredentials or call AddUser, not both.");
        }

        if (options.Audience is not null && string.IsNullOrWhiteSpace(options.Audience))
        {
            errors.Add("ArcGisTokenOptions.Audience must not be empty; leave it unset for the application name.");
        }

        GenerateTokenProtectionValidator.Validate(options, errors);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

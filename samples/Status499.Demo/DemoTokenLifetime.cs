using System.Globalization;

namespace Status499.Demo;

/// <summary>
/// <c>Sample:MaxTokenLifetime</c> (a <see cref="TimeSpan"/>, e.g. <c>00:00:03</c>): the longest lifetime generateToken
/// grants, for watching clients, or a gateway in front of the demo, refresh tokens within seconds. Unset, the
/// library's default applies (one day).
/// </summary>
internal static class DemoTokenLifetime
{
    public const string Key = "Sample:MaxTokenLifetime";

    public static bool TryRead(IConfiguration configuration, out TimeSpan? lifetime, out string problem)
    {
        lifetime = null;
        problem = "";
        var value = configuration[Key];
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        // The library's bounds (ArcGisTokenOptions.MaxExpiration), checked here so the message names the demo's key.
        if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed) || parsed < TimeSpan.FromSeconds(1) || parsed > TimeSpan.FromDays(365))
        {
            problem = $"{Key} must be a time span between 00:00:01 and 365.00:00:00 (e.g. 00:00:03); it is '{value}'.";
            return false;
        }

        lifetime = parsed;
        return true;
    }
}

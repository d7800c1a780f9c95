namespace Status499.Demo;

/// <summary>The demo user that generateToken signs in, and the fixed token for curl.</summary>
/// <remarks>
/// Configuration keys (environment variables use <c>__</c> for <c>:</c>, e.g. <c>Sample__DemoUser__Password</c>):
/// <c>Sample:DemoUser:Username</c> (default <c>demo</c>), <c>Sample:DemoUser:Password</c> and <c>Sample:DemoToken</c>.
/// The password <c>demo-password</c> and the token <c>status499-demo-token</c> are printed in the README, so they are
/// defaults in Development only: elsewhere the password must be configured, and no fixed token is accepted unless one is.
/// </remarks>
internal sealed record DemoCredentials(string Username, string Password, bool PasswordIsDefault, string? Token, bool TokenIsDefault)
{
    public const string DefaultUsername = "demo";
    public const string DefaultPassword = "demo-password";
    public const string DefaultToken = "status499-demo-token";

    public static bool TryRead(IConfiguration configuration, IHostEnvironment environment, out DemoCredentials credentials, out string problem)
    {
        var development = environment.IsDevelopment();
        var username = configuration["Sample:DemoUser:Username"] is { Length: > 0 } u ? u : DefaultUsername;
        var password = configuration["Sample:DemoUser:Password"];
        var token = configuration["Sample:DemoToken"];
        credentials = new DemoCredentials(
            username,
            string.IsNullOrEmpty(password) ? DefaultPassword : password,
            string.IsNullOrEmpty(password),
            string.IsNullOrEmpty(token) ? (development ? DefaultToken : null) : token,
            string.IsNullOrEmpty(token) && development);

        if (credentials.PasswordIsDefault && !development)
        {
            problem =
                $"The Status499 demo is running as '{environment.EnvironmentName}', where the demo password must come from configuration.\n"
                + "Set it, for example:  Sample__DemoUser__Password='choose-one' dotnet run --project samples/Status499.Demo\n"
                + "or run as Development, where the demo defaults apply:  ASPNETCORE_ENVIRONMENT=Development (the launch profile sets it).";
            return false;
        }

        problem = "";
        return true;
    }
}

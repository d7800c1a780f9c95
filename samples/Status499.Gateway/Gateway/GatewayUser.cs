namespace Status499.Gateway;

/// <summary>A user who may sign in at the gateway's generateToken.</summary>
public sealed class GatewayUser
{
    /// <summary>The username, case-sensitive as in ArcGIS.</summary>
    public string Username { get; set; } = string.Empty;

    /// <summary>The password, checked in fixed time (<c>ArcGisTokenOptions.AddUser</c>).</summary>
    public string Password { get; set; } = string.Empty;
}

using Status499.Gateway;

// The ArcGIS token gateway: YARP in front of an ArcGIS-compatible service (appsettings.json: "ReverseProxy"), with
// Status499's token check, rest/info, generateToken and 499 accounting ("Status499", "Gateway"). docs/gateway.md.
var builder = WebApplication.CreateBuilder(args);
builder.AddStatus499Gateway();

var app = builder.Build();
app.MapStatus499Gateway();

app.Run();

using Status499.Analyzers.Tests.Infrastructure;

namespace Status499.Analyzers.Tests;

/// <summary>The code fix: passes the token in the right place, and adds a CancellationToken parameter when needed.</summary>
public class CodeFixTests
{
    [Fact]
    public Task The_handler_token_is_passed_as_the_last_positional_argument()
        => Verify.CodeFixAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app, HttpClient client)
                {
                    app.MapGet("/slow", async (CancellationToken ct) =>
                    {
                        await {|#0:Task.Delay(1000)|};
                        using var response = await {|#1:client.GetAsync("http://127.0.0.1/")|};
                        return "done";
                    });
                }
            }
            """,
            """
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app, HttpClient client)
                {
                    app.MapGet("/slow", async (CancellationToken ct) =>
                    {
                        await Task.Delay(1000, ct);
                        using var response = await client.GetAsync("http://127.0.0.1/", ct);
                        return "done";
                    });
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "'ct'"),
            Verify.PassToken(1).WithArguments("HttpClient.GetAsync", "'ct'"));

    [Fact]
    public Task A_handler_without_a_token_gains_a_CancellationToken_parameter_once_and_every_call_gets_it()
        => Verify.CodeFixAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/careless", async () =>
                    {
                        await {|#0:Task.Delay(3000)|};
                        await {|#1:Task.Delay(TimeSpan.FromSeconds(1))|};
                        return "finished for nobody";
                    });
                }
            }
            """,
            """
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/careless", async (CancellationToken cancellationToken) =>
                    {
                        await Task.Delay(3000, cancellationToken);
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                        return "finished for nobody";
                    });
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "the request's token (add a CancellationToken parameter to the handler)"),
            Verify.PassToken(1).WithArguments("Task.Delay", "the request's token (add a CancellationToken parameter to the handler)"));

    [Fact]
    public Task A_controller_action_gains_the_parameter_before_its_optional_ones()
        => Verify.CodeFixAsync("""
            public class ReportsController : ControllerBase
            {
                [HttpGet("/reports")]
                public async Task<IActionResult> Get(int year, string format = "json")
                {
                    await {|#0:Task.Delay(year)|};
                    return Ok(format);
                }
            }
            """,
            """
            public class ReportsController : ControllerBase
            {
                [HttpGet("/reports")]
                public async Task<IActionResult> Get(int year, CancellationToken cancellationToken, string format = "json")
                {
                    await Task.Delay(year, cancellationToken);
                    return Ok(format);
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "the request's token (add a CancellationToken parameter to the handler)"));

    [Fact]
    public Task An_omitted_optional_parameter_before_the_token_makes_it_a_named_argument()
        => Verify.CodeFixAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/json", async (HttpResponse response, CancellationToken ct) =>
                    {
                        await {|#0:System.Text.Json.JsonSerializer.SerializeAsync(response.Body, 42)|};
                        await {|#1:response.WriteAsync("done")|};
                    });
                }
            }
            """,
            """
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/json", async (HttpResponse response, CancellationToken ct) =>
                    {
                        await System.Text.Json.JsonSerializer.SerializeAsync(response.Body, 42, cancellationToken: ct);
                        await response.WriteAsync("done", ct);
                    });
                }
            }
            """,
            Verify.PassToken(0).WithArguments("JsonSerializer.SerializeAsync", "'ct'"),
            Verify.PassToken(1).WithArguments("WriteAsync", "'ct'"));

    [Fact]
    public Task The_token_from_an_HttpContext_parameter_is_passed_without_a_new_parameter()
        => Verify.CodeFixAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.Map("/raw", context => {|#0:context.Response.WriteAsync("hello")|});
                }
            }
            """,
            """
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.Map("/raw", context => context.Response.WriteAsync("hello", context.RequestAborted));
                }
            }
            """,
            Verify.PassToken(0).WithArguments("WriteAsync", "'context.RequestAborted'"));

    [Fact]
    public Task A_method_group_handler_gains_the_parameter()
        => Verify.CodeFixAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app) => app.MapGet("/", Handle);

                private static async Task<string> Handle(string name)
                {
                    await {|#0:Task.Delay(10)|};
                    return name;
                }
            }
            """,
            """
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app) => app.MapGet("/", Handle);

                private static async Task<string> Handle(string name, CancellationToken cancellationToken)
                {
                    await Task.Delay(10, cancellationToken);
                    return name;
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "the request's token (add a CancellationToken parameter to the handler)"));

    [Fact]
    public Task S499002_is_fixed_by_adding_the_parameter()
        => Verify.CodeFixAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/report", async {|#0:(int year)|} =>
                    {
                        await BuildReport(year);
                        return Results.Ok();
                    });
                }

                private static Task BuildReport(int year) => Task.CompletedTask;
            }
            """,
            """
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/report", async (int year, CancellationToken cancellationToken) =>
                    {
                        await BuildReport(year);
                        return Results.Ok();
                    });
                }

                private static Task BuildReport(int year) => Task.CompletedTask;
            }
            """,
            Verify.HandlerWithoutToken(0).WithArguments("MapGet /report"));
}

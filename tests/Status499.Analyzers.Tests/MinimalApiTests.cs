using Status499.Analyzers.Tests.Infrastructure;

namespace Status499.Analyzers.Tests;

/// <summary>S499001 on minimal-API handlers: which calls are flagged and with which token.</summary>
public class MinimalApiTests
{
    [Fact]
    public Task Task_Delay_without_the_token_is_flagged_in_a_MapGet_lambda_that_has_one()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/slow", async (CancellationToken ct) =>
                    {
                        await {|#0:Task.Delay(1000)|};
                        return "done";
                    });
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "'ct'"));

    [Fact]
    public Task HttpClient_GetAsync_without_a_token_is_flagged_and_the_token_comes_from_the_HttpContext()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app, HttpClient client)
                {
                    app.MapPost("/proxy", async (HttpContext context, string url) =>
                    {
                        using var response = await {|#0:client.GetAsync(url)|};
                        return (int)response.StatusCode;
                    });
                }
            }
            """,
            Verify.PassToken(0).WithArguments("HttpClient.GetAsync", "'context.RequestAborted'"));

    [Fact]
    public Task Stream_reads_without_a_token_are_flagged_for_the_overload_and_for_the_optional_parameter()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapPut("/upload", async (HttpRequest request, CancellationToken ct) =>
                    {
                        var buffer = new byte[4096];
                        var total = 0;
                        int read;
                        while ((read = await {|#0:request.Body.ReadAsync(buffer, 0, buffer.Length)|}) > 0)
                        {
                            total += read;
                        }

                        total += await {|#1:request.Body.ReadAsync(buffer.AsMemory())|};
                        return total;
                    });
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Stream.ReadAsync", "'ct'"),
            Verify.PassToken(1).WithArguments("Stream.ReadAsync", "'ct'"));

    [Fact]
    public Task A_handler_without_any_token_is_flagged_and_told_to_take_one()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapDelete("/items/{id}", async (int id) =>
                    {
                        await {|#0:Task.Delay(id)|};
                        return Results.NoContent();
                    });
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "the request's token (add a CancellationToken parameter to the handler)"));

    [Fact]
    public Task Every_Map_method_that_takes_a_handler_is_covered()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.Map("/a", async (CancellationToken ct) => await {|#0:Task.Delay(1)|});
                    app.MapPatch("/b", async (CancellationToken ct) => await {|#1:Task.Delay(1)|});
                    app.MapMethods("/c", new[] { "PROPFIND" }, async (CancellationToken ct) => await {|#2:Task.Delay(1)|});
                    app.MapFallback(async (CancellationToken ct) => await {|#3:Task.Delay(1)|});
                    app.MapGroup("/group").MapGet("/d", async (CancellationToken ct) => await {|#4:Task.Delay(1)|});
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "'ct'"),
            Verify.PassToken(1).WithArguments("Task.Delay", "'ct'"),
            Verify.PassToken(2).WithArguments("Task.Delay", "'ct'"),
            Verify.PassToken(3).WithArguments("Task.Delay", "'ct'"),
            Verify.PassToken(4).WithArguments("Task.Delay", "'ct'"));

    [Fact]
    public Task A_RequestDelegate_lambda_uses_the_context_token()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.Map("/raw", context => {|#0:context.Response.WriteAsync("hello")|});
                }
            }
            """,
            Verify.PassToken(0).WithArguments("WriteAsync", "'context.RequestAborted'"));

    [Fact]
    public Task A_method_group_handler_in_the_same_file_is_analyzed_once_however_often_it_is_mapped()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/one", Handle);
                    app.MapGet("/two", Handle);
                    app.MapGet("/three", Local);

                    static async Task<string> Local(CancellationToken token)
                    {
                        await {|#1:Task.Delay(10)|};
                        return "local";
                    }
                }

                private static async Task<string> Handle(CancellationToken ct)
                {
                    await {|#0:Task.Delay(10)|};
                    return "method";
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "'ct'"),
            Verify.PassToken(1).WithArguments("Task.Delay", "'token'"));

    [Fact]
    public Task A_nested_lambda_with_its_own_token_is_told_to_pass_that_one()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/all", async (CancellationToken ct) =>
                    {
                        await Parallel.ForEachAsync(new[] { 1, 2 }, ct, async (item, itemToken) => await {|#0:Task.Delay(item)|});
                        await Task.WhenAll(new[] { 1, 2 }.Select(async item => await {|#1:Task.Delay(item)|}));
                    });
                }
            }
            """,
            Verify.PassToken(0).WithArguments("Task.Delay", "'itemToken'"),
            Verify.PassToken(1).WithArguments("Task.Delay", "'ct'"));

    [Fact]
    public Task A_passed_token_is_not_flagged_whichever_token_it_is()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app, HttpClient client)
                {
                    app.MapGet("/a", async (CancellationToken ct) => await Task.Delay(1000, ct));
                    app.MapGet("/b", async (HttpContext context) => await client.GetAsync("http://127.0.0.1/", context.RequestAborted));
                    app.MapGet("/c", async (HttpResponse response, CancellationToken ct) => await response.WriteAsync("x", cancellationToken: ct));
                }
            }
            """);

    [Fact]
    public Task An_explicit_None_or_default_token_is_a_decision_and_is_not_flagged()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/events", async (HttpResponse response, CancellationToken ct) =>
                    {
                        await response.WriteAsync("data: tick\n\n", CancellationToken.None);
                        await Task.Delay(1000, default);
                        await Task.Delay(1000, default(CancellationToken));
                    });
                }
            }
            """);

    [Fact]
    public Task Calls_without_a_token_overload_are_not_flagged()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/quiet", async (CancellationToken ct) =>
                    {
                        await Task.Yield();
                        await Task.WhenAll(Task.CompletedTask);
                        await Work();
                        return Results.Ok();
                    });
                }

                private static Task Work() => Task.CompletedTask;
            }
            """);

    [Fact]
    public Task Code_that_is_not_a_handler_is_not_flagged()
        => Verify.AnalyzerAsync("""
            static class Jobs
            {
                public static async Task RunAsync(CancellationToken ct)
                {
                    await Task.Delay(1000);
                }

                public static void MapGet(this object app, string pattern, Delegate handler)
                {
                }

                public static void Register(object notARouteBuilder)
                {
                    notARouteBuilder.MapGet("/x", async (CancellationToken ct) => await Task.Delay(1000));
                }
            }
            """);

    [Fact]
    public Task A_static_lambda_inside_a_handler_cannot_capture_the_token_and_is_not_flagged()
        => Verify.AnalyzerAsync("""
            static class Endpoints
            {
                public static void Map(IEndpointRouteBuilder app)
                {
                    app.MapGet("/static", async (CancellationToken ct) =>
                    {
                        Func<Task> later = static () => Task.Delay(1000);
                        await later();
                    });
                }
            }
            """);
}

namespace Status499;

internal static class TokenOptionsValidator
{
    public static void Validate(TokenOptions options, List<string> errors)
    {
    }
}

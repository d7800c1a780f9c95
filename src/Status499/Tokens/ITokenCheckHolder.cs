namespace Status499.Tokens;

// Implemented by the object that UseStatus499() sets as the request's IStatus499Feature, so that code running later in
// the request (TokenAuthorizationResultHandler) reaches the token check without knowing the pipeline's types.
internal interface ITokenCheckHolder
{
    // Null until the holder serves a token route.
    TokenCheckState? TokenCheck { get; }
}

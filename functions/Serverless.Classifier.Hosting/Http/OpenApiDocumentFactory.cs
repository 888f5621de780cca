using Microsoft.OpenApi;
using Microsoft.OpenApi.Any;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Models;

namespace Serverless.Classifier.Hosting.Http;

/// <summary>The OpenAPI 3 document of the HTTP API, built once with Microsoft.OpenApi from <see cref="ClassifierRoutes.All"/>.</summary>
internal static class OpenApiDocumentFactory
{
    private static readonly Lazy<string> Document = new(() => Create().SerializeAsJson(OpenApiSpecVersion.OpenApi3_0));

    public static string Json => Document.Value;

    public static OpenApiDocument Create()
    {
        var problem = new OpenApiSchema
        {
            Type = "object",
            Description = "RFC 9457 problem details; type is one of urn:serverless-classifier:problem:{invalid-input, payload-too-large, unsupported-media-type, overloaded, model-unavailable, model-invalid, inference-failed}.",
            Properties = new Dictionary<string, OpenApiSchema>
            {
                ["type"] = new() { Type = "string" },
                ["title"] = new() { Type = "string" },
                ["status"] = new() { Type = "integer" },
                ["detail"] = new() { Type = "string" },
                ["field"] = new() { Type = "string", Description = "The request field at fault, such as inputs[3] or parameters.head." },
            },
        };
        var labelScore = new OpenApiSchema
        {
            Type = "object",
            Properties = new Dictionary<string, OpenApiSchema>
            {
                ["label"] = new() { Type = "string" },
                ["score"] = new() { Type = "number" },
                ["selected"] = new() { Type = "boolean", Description = "Sigmoid heads scored with sigmoid only: whether the score reaches the label's threshold (GET /api/models lists them)." },
            },
            Required = new HashSet<string> { "label", "score" },
        };
        var labelScores = new OpenApiSchema { Type = "array", Items = new OpenApiSchema { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = "LabelScore" } } };
        var chunkedEntry = new OpenApiSchema
        {
            Type = "object",
            Description = "An input classified with chunking and return_chunks: its labels, and each window's character span [start, end) and labels.",
            Properties = new Dictionary<string, OpenApiSchema>
            {
                ["labels"] = labelScores,
                ["chunks"] = new()
                {
                    Type = "array",
                    Items = new OpenApiSchema
                    {
                        Type = "object",
                        Properties = new Dictionary<string, OpenApiSchema> { ["start"] = new() { Type = "integer" }, ["end"] = new() { Type = "integer" }, ["labels"] = labelScores },
                    },
                },
            },
        };
        var textPair = new OpenApiSchema
        {
            Type = "object",
            Required = new HashSet<string> { "text" },
            Properties = new Dictionary<string, OpenApiSchema> { ["text"] = new() { Type = "string" }, ["text_pair"] = new() { Type = "string" } },
        };
        var request = new OpenApiSchema
        {
            Type = "object",
            Required = new HashSet<string> { "inputs" },
            Properties = new Dictionary<string, OpenApiSchema>
            {
                ["inputs"] = new()
                {
                    Description = "One input or an array of them. An input is a text, or a text pair: {\"text\", \"text_pair\"} or [text, text_pair] (cross-encoders, NLI; token types 0 and 1, cut with longest_first).",
                    OneOf =
                    [
                        new OpenApiSchema { Type = "string" },
                        textPair,
                        new OpenApiSchema
                        {
                            Type = "array",
                            Items = new OpenApiSchema
                            {
                                OneOf = [new OpenApiSchema { Type = "string" }, textPair, new OpenApiSchema { Type = "array", Items = new OpenApiSchema { Type = "string" }, MinItems = 2, MaxItems = 2 }],
                            },
                        },
                    ],
                    Example = new OpenApiArray { new OpenApiString("I love this phone"), new OpenApiString("Terrible service, never again") },
                },
                ["parameters"] = new()
                {
                    Type = "object",
                    Properties = new Dictionary<string, OpenApiSchema>
                    {
                        ["top_k"] = new() { Type = "integer", Minimum = 1, Description = "Labels per input, best first (default: all)." },
                        ["function_to_apply"] = new() { Type = "string", Enum = [new OpenApiString("softmax"), new OpenApiString("sigmoid"), new OpenApiString("none")] },
                        ["truncation"] = new() { Type = "boolean", Default = new OpenApiBoolean(true), Description = "false: an input over the model's max length is a 400." },
                        ["truncation_direction"] = new()
                        {
                            Type = "string",
                            Enum = [new OpenApiString("right"), new OpenApiString("left")],
                            Default = new OpenApiString("right"),
                            Description = "Which end of an over-long input truncation keeps: right keeps the start, left the end.",
                        },
                        ["head"] = new() { Type = "string", Description = "Head name (default: the model's defaultHead)." },
                        ["chunking"] = new()
                        {
                            Type = "boolean",
                            Default = new OpenApiBoolean(false),
                            Description = "Classify an input longer than the model's max length in overlapping windows and aggregate their scores, instead of truncating it. Inputs may then have up to MaxCharsPerChunkedInput (200,000) characters and need at most MaxChunksPerInput (64) windows (413 beyond).",
                        },
                        ["chunk_size"] = new() { Type = "integer", Minimum = 3, Description = "With chunking: tokens per window, [CLS] and [SEP] included (default: the model's max length)." },
                        ["chunk_stride"] = new() { Type = "integer", Minimum = 0, Description = "With chunking: word pieces shared by consecutive windows (default: a quarter of a window)." },
                        ["chunk_aggregate"] = new()
                        {
                            Type = "string",
                            Enum = [new OpenApiString("mean"), new OpenApiString("max")],
                            Default = new OpenApiString("mean"),
                            Description = "With chunking: the windows' mean score per label, or their highest (does any part say it).",
                        },
                        ["return_chunks"] = new() { Type = "boolean", Default = new OpenApiBoolean(false), Description = "With chunking: each entry becomes {labels, chunks: [{start, end, labels}]}." },
                    },
                },
            },
        };

        static OpenApiResponse Problem(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [Problems.ContentType] = new() { Schema = new OpenApiSchema { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = "Problem" } } } },
        };

        static OpenApiResponse Json(string description, OpenApiSchema? schema = null) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema ?? new OpenApiSchema { Type = "object" } } },
        };

        var responses = new Dictionary<string, OpenApiResponses>
        {
            [ClassifierRoutes.Classify] = new()
            {
                ["200"] = Json(
                    "One entry per input, in input order: labels sorted by score, highest first (with return_chunks, an object with them and its windows). Headers x-model-name, x-model-version, x-tokenize-ms, x-queue-ms, x-inference-ms.",
                    new OpenApiSchema { Type = "array", Items = new OpenApiSchema { OneOf = [labelScores, chunkedEntry] } }),
                ["400"] = Problem("Bad body, field or input (including an over-long input with truncation false)."),
                ["413"] = Problem("Body too large, too many inputs, an input over the character limit, or a chunked input needing more than MaxChunksPerInput windows."),
                ["415"] = Problem("Content-Type is not application/json."),
                ["429"] = Problem("Inference queue full; see Retry-After."),
                ["503"] = Problem("No model loaded yet; see Retry-After."),
            },
            [ClassifierRoutes.Health] = new() { ["200"] = Json("Alive.") },
            [ClassifierRoutes.Ready] = new() { ["200"] = Json("Ready."), ["503"] = Problem("Not ready; see Retry-After.") },
            [ClassifierRoutes.Models] = new() { ["200"] = Json("The model."), ["503"] = Problem("No model loaded yet.") },
            [ClassifierRoutes.OpenApi] = new() { ["200"] = Json("OpenAPI 3.0 document.") },
            [ClassifierRoutes.TeiPredict] = TeiResponses("TEI's predictions: [{score, label}] sorted by score, or one such list per input of a batch."),
            [ClassifierRoutes.TeiTokenize] = TeiResponses("TEI's tokens: one list of {id, text, special, start, stop} per input (start and stop are null)."),
            [ClassifierRoutes.TeiInfo] = new() { ["200"] = Json("TEI's info: model_id, model_type.classifier.id2label, limits."), ["503"] = Json("{error, error_type: Unhealthy}") },
        };

        static OpenApiResponses TeiResponses(string description) => new()
        {
            ["200"] = Json(description),
            ["400"] = Json("{error, error_type: Empty}: an empty input."),
            ["413"] = Json("{error, error_type: Validation}: too many inputs, an input too long without truncate, or a body too large."),
            ["422"] = Json("{error, error_type: Validation}: a malformed body, a field of the wrong type, or a text pair."),
            ["424"] = Json("{error, error_type: Backend}: the model failed."),
            ["429"] = Json("{error, error_type: Overloaded}: inference queue full; see Retry-After."),
            ["503"] = Json("{error, error_type: Unhealthy}: no model loaded yet."),
        };

        var paths = new OpenApiPaths();
        foreach (var route in ClassifierRoutes.All)
        {
            var operation = new OpenApiOperation { OperationId = route.FunctionName, Summary = route.Summary, Responses = responses[route.Route] };
            if (route.Route == ClassifierRoutes.Classify)
            {
                operation.RequestBody = new OpenApiRequestBody { Required = true, Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = request } } };
            }

            paths[route.Path] = new OpenApiPathItem { Operations = { [Enum.Parse<OperationType>(route.Method, ignoreCase: true)] = operation } };
        }

        return new OpenApiDocument
        {
            Info = new OpenApiInfo { Title = "Serverless text classifier", Version = "1.0" },
            Components = new OpenApiComponents { Schemas = new Dictionary<string, OpenApiSchema> { ["Problem"] = problem, ["LabelScore"] = labelScore } },
            Paths = paths,
        };
    }
}

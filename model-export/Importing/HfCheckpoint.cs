using System.Text.Json;
using System.Text.Json.Nodes;
using ModelExport.Training;
using Serverless.Classifier.Model;

namespace ModelExport.Importing;

/// <summary>
/// A Hugging Face sequence-classification checkpoint folder (config.json, model.safetensors, tokenizer files): its
/// head, labels, activation and tokenizer flags. Supported: DistilBERT (pre_classifier -> ReLU -> classifier on the
/// first token) and BERT (pooler dense -> tanh -> classifier on the first token). RoBERTa-style heads are refused
/// until a byte-level BPE tokenizer reaches exact parity with Hugging Face's.
/// </summary>
internal sealed record HfCheckpoint(string ModelType, int HiddenSize, TrainedHead Head, string[] Labels, Activation Activation, TokenizerManifest Tokenizer, int MaxPositions)
{
    private static readonly string[] OtherWeightFiles = ["pytorch_model.bin", "tf_model.h5", "flax_model.msgpack"];
    private static readonly string[] ByteLevelBpeModels = ["roberta", "xlm-roberta", "camembert", "longformer", "deberta", "deberta-v2", "bart", "gpt2"];

    public static HfCheckpoint Read(string directory)
    {
        var configPath = Path.Combine(directory, "config.json");
        if (!File.Exists(configPath))
        {
            throw new ModelExportException($"'{directory}' has no config.json; expected a Hugging Face checkpoint folder (save_pretrained output).");
        }

        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        var modelType = config["model_type"]?.GetValue<string>() ?? string.Empty;
        if (ByteLevelBpeModels.Contains(modelType))
        {
            throw new ModelExportException(
                $"config.json has model_type '{modelType}': its tokenizer is byte-level BPE, which this runtime does not yet reproduce exactly (only BERT WordPiece is verified against Hugging Face). " +
                "Supported: distilbert, bert.");
        }

        if (modelType is not ("distilbert" or "bert"))
        {
            throw new ModelExportException($"config.json has model_type '{modelType}'; supported: distilbert (DistilBertForSequenceClassification), bert (BertForSequenceClassification).");
        }

        var weights = Path.Combine(directory, "model.safetensors");
        if (!File.Exists(weights))
        {
            var pickles = OtherWeightFiles.Where(f => File.Exists(Path.Combine(directory, f))).ToList();
            throw new ModelExportException(
                pickles.Count > 0
                    ? $"'{directory}' has {string.Join(", ", pickles)} but no model.safetensors. Pickle checkpoints can run code when loaded, so they are not read; convert with transformers: " +
                      "python -c \"from transformers import AutoModelForSequenceClassification as M; M.from_pretrained('DIR').save_pretrained('DIR', safe_serialization=True)\""
                    : $"'{directory}' has no model.safetensors.");
        }

        var hidden = (modelType == "distilbert" ? config["dim"] : config["hidden_size"])?.GetValue<int>()
            ?? throw new ModelExportException($"config.json has no {(modelType == "distilbert" ? "dim" : "hidden_size")}.");
        var labels = ReadLabels(config);
        var tensors = SafeTensors.Open(weights);
        var (firstLayer, shape, expected) = modelType == "distilbert"
            ? ("pre_classifier", HeadShape.Mlp, "DistilBertForSequenceClassification")
            : ("bert.pooler.dense", HeadShape.Pooler, "BertForSequenceClassification");
        var w1 = Tensor(tensors, $"{firstLayer}.weight", expected, hidden, hidden);
        var b1 = Tensor(tensors, $"{firstLayer}.bias", expected, hidden);
        var w2 = Tensor(tensors, "classifier.weight", expected, labels.Length, hidden);
        var b2 = Tensor(tensors, "classifier.bias", expected, labels.Length);
        // As Hugging Face's text-classification pipeline: sigmoid for multi-label heads and for one-logit heads (cross-encoders
        // scoring relevance), softmax otherwise.
        var activation = config["problem_type"]?.GetValue<string>() == "multi_label_classification" || labels.Length == 1 ? Activation.Sigmoid : Activation.Softmax;
        var maxPositions = config["max_position_embeddings"]?.GetValue<int>() ?? 512;
        return new HfCheckpoint(modelType, hidden, new TrainedHead(shape, hidden, labels.Length, w1, b1, w2, b2), labels, activation, ReadTokenizer(directory, maxPositions), maxPositions);
    }

    private static string[] ReadLabels(JsonObject config)
    {
        if (config["id2label"] is not JsonObject id2label || id2label.Count == 0)
        {
            throw new ModelExportException("config.json has no id2label; save the checkpoint with its label names (model.config.id2label).");
        }

        var labels = new string[id2label.Count];
        foreach (var (key, value) in id2label)
        {
            if (!int.TryParse(key, out var id) || id < 0 || id >= labels.Length)
            {
                throw new ModelExportException($"config.json id2label has key '{key}'; expected ids 0 to {labels.Length - 1}.");
            }

            labels[id] = value!.GetValue<string>();
        }

        return labels;
    }

    private static float[] Tensor(SafeTensors tensors, string name, string expected, params long[] shape)
    {
        var (values, actual) = tensors.Read(name, expected);
        if (!actual.SequenceEqual(shape))
        {
            throw new ModelExportException($"Tensor '{name}' has shape [{string.Join(", ", actual)}]; expected [{string.Join(", ", shape)}] from config.json.");
        }

        return values;
    }

    private static TokenizerManifest ReadTokenizer(string directory, int maxPositions)
    {
        var vocabulary = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(vocabulary))
        {
            throw new ModelExportException($"'{directory}' has no vocab.txt; BERT-family checkpoints ship their WordPiece vocabulary (save the tokenizer with save_pretrained).");
        }

        var configPath = Path.Combine(directory, "tokenizer_config.json");
        var config = File.Exists(configPath) ? JsonNode.Parse(File.ReadAllText(configPath))!.AsObject() : [];
        // model_max_length is often a huge sentinel (1e30) when unset: the position table is the real limit.
        var declared = config["model_max_length"] is JsonValue value && value.TryGetValue<double>(out var length) ? length : maxPositions;
        return new TokenizerManifest
        {
            File = "vocab.txt",
            Sha256 = string.Empty,
            DoLowerCase = Bool(config, "do_lower_case") ?? true,
            StripAccents = Bool(config, "strip_accents"),
            TokenizeChineseChars = Bool(config, "tokenize_chinese_chars") ?? true,
            MaxLength = (int)Math.Min(declared, maxPositions),
            SpecialTokens = new SpecialTokens
            {
                Cls = Token(config, "cls_token") ?? "[CLS]",
                Sep = Token(config, "sep_token") ?? "[SEP]",
                Pad = Token(config, "pad_token") ?? "[PAD]",
                Unk = Token(config, "unk_token") ?? "[UNK]",
                Mask = Token(config, "mask_token") ?? "[MASK]",
            },
        };
    }

    private static bool? Bool(JsonObject config, string name) => config[name] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.GetValue<bool>() : null;

    // Tokens are strings, or AddedToken objects with a "content" field.
    private static string? Token(JsonObject config, string name) => config[name] switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonObject added => added["content"]?.GetValue<string>(),
        _ => null,
    };
}

namespace Serverless.Classifier.Hosting.Jobs;

/// <summary><c>&lt;output&gt;.progress.json</c>: the checkpoint a redelivered or continued message resumes from.</summary>
/// <param name="LinesDone">Input lines whose output is in staged blocks.</param>
/// <param name="Blocks">Staged blocks (ids are their 0-based index).</param>
/// <param name="Classified">Lines classified so far.</param>
/// <param name="Errors">Error lines so far.</param>
/// <param name="ModelVersion">The model version the staged blocks were made with.</param>
/// <param name="ChunkSize">Lines per block.</param>
/// <param name="ElapsedMs">Milliseconds the job has worked so far, over every invocation (crash recovery waits excluded).</param>
internal sealed record JobProgress(long LinesDone, int Blocks, long Classified, long Errors, string ModelVersion, int ChunkSize, double ElapsedMs = 0);

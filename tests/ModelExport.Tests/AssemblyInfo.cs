[assembly: PerTestCancellation]

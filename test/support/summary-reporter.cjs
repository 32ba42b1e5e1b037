// A test file that fails to load counts as a failure. Prints one closing line in the plain "N passed, N failed, N
// skipped" form that CI reads, after Jest's own summary.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const tz = process.env.TZ ? ` (TZ=${process.env.TZ})` : '';
    process.stdout.write(
      `\njest${tz}: ${results.numPassedTests} passed, ${results.numFailedTests + results.numRuntimeErrorTestSuites} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;

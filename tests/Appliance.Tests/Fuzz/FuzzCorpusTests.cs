using Appliance.Fuzz;

namespace Appliance.Tests.Fuzz;

/// <summary>
/// The fuzz corpus (fuzz/corpus/TARGET/*) replayed through the same targets AFL++ drives (fuzz/run.sh): each input
/// must be accepted or refused the documented way. A crash AFL++ finds is copied into the corpus, so it stays fixed.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FuzzTargets.All)
        {
            var folder = Path.Combine(Root, target.Name);
            if (!Directory.Exists(folder)) continue; // Every_target_has_a_corpus says so
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
                data.Add(target.Name, Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Corpus_input_is_accepted_or_refused_as_documented(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(Root, target, file));
        if (input.Length > FuzzTargets.MaxInputBytes) input = input[..FuzzTargets.MaxInputBytes];
        FuzzTargets.Get(target).Run(input); // throws (and fails) on anything the target does not expect
    }

    [Fact]
    public void Every_target_has_a_corpus()
    {
        foreach (var target in FuzzTargets.All)
        {
            var folder = Path.Combine(Root, target.Name);
            Assert.True(Directory.Exists(folder) && Directory.EnumerateFiles(folder).Count() >= 2,
                $"fuzz/corpus/{target.Name}/ needs seed inputs (at least 2) for target '{target.Name}'.");
        }
    }

    [Fact]
    public void A_target_that_lets_an_unexpected_exception_escape_fails()
    {
        // A profile with a null in a list is refused (InvalidDataException, expected); an accepted null is a finding.
        var nulls = """{"name":"b","thumbprint":"00","credential":"main","scopes":[null],"allow_ip":[]}"""u8.ToArray();
        FuzzTargets.Get("bot-profile").Run(nulls);
        Assert.Throws<FuzzFinding>(() => Accepted.Check(new Probe(null!), "probe"));
    }

    private sealed record Probe(string Text);
}

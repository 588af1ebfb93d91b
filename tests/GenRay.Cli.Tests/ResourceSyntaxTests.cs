using GenRay.Cli.Parsing;

namespace GenRay.Cli.Tests;

public sealed class ResourceSyntaxTests
{
    [Fact]
    public void Pairs_are_separated_by_commas_and_amounts_may_be_fractional_or_zero()
    {
        var resources = ResourceSyntax.Parse("gpu=2,ssd=0.5, fpga = 0");

        Assert.Equal(new Dictionary<string, double> { ["gpu"] = 2, ["ssd"] = 0.5, ["fpga"] = 0 }, resources);
    }

    [Fact]
    public void Amounts_are_read_the_same_in_every_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            Assert.Equal(0.5, ResourceSyntax.Parse("ssd=0.5")["ssd"]);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("gpu", "name=amount pairs separated by commas")]
    [InlineData("=1", "name=amount pairs separated by commas")]
    [InlineData("gpu=1,", "name=amount pairs separated by commas")]
    [InlineData("gpu=", "--resources gpu: '' is not a number")]
    [InlineData("gpu=one", "--resources gpu: 'one' is not a number")]
    [InlineData("gpu=NaN", "--resources gpu: 'NaN' is not a number")]
    [InlineData("gpu=-1", "--resources gpu: amounts cannot be negative (-1)")]
    [InlineData("gpu=1,gpu=2", "names gpu twice")]
    [InlineData("CPU=4", "give CPUs with --num-cpus")]
    [InlineData("cpu=4", "give CPUs with --num-cpus")]
    public void Bad_resources_say_what_is_wrong(string text, string message)
    {
        var error = Assert.Throws<UsageException>(() => ResourceSyntax.Parse(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}

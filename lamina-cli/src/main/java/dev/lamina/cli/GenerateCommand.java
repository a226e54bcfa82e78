package dev.lamina.cli;

import dev.lamina.models.LanguageModels;
import dev.lamina.models.TextGenerator;
import dev.lamina.tensor.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lamina generate MODEL.safetensors}: samples text from a character-level model saved by {@code lamina train --save}. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sample text from a language model trained with `lamina train --model lstm|transformer --save FILE`.",
                "Prints the prompt followed by the generated characters as they are drawn."})
final class GenerateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.safetensors", description = "Weights written by `lamina train --save`.")
    Path file;

    @Option(names = "--prompt", defaultValue = "And ", description = "Text to start from (every character must be in the model's vocabulary); default \"${DEFAULT-VALUE}\".")
    String prompt;

    @Option(names = {"--length", "-n"}, defaultValue = "500", description = "Characters to generate; default ${DEFAULT-VALUE}.")
    int length;

    @Option(names = "--temperature", defaultValue = "0.8", description = "Softmax temperature: 1 samples the model's distribution, lower is more conservative, 0 always takes the most likely character; default ${DEFAULT-VALUE}.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample only among the K most likely characters; 0 for all; default ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the sampling; default ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (length < 0) throw new IllegalArgumentException("--length must be >= 0, got " + length);
        if (prompt.isEmpty()) throw new IllegalArgumentException("--prompt must not be empty");
        LanguageModels.Loaded loaded = LanguageModels.load(file);
        int[] promptIds;
        try {
            promptIds = loaded.vocabulary().encode(prompt);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--prompt: " + e.getMessage() + " of " + file);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(prompt);
        TextGenerator generator = new TextGenerator(loaded.model(), temperature, topK, new Rng(seed));
        generator.generate(promptIds, length, id -> out.print(Character.toString(loaded.vocabulary().codePoint(id))));
        out.println();
        return 0;
    }
}

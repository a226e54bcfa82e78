package dev.lamina.explain;

import dev.lamina.data.Dataset;
import dev.lamina.nn.Module;
import dev.lamina.optim.Optimizer;
import dev.lamina.train.Callback;
import dev.lamina.train.EpochResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@link dev.lamina.train.Trainer} callback that explains the model after every epoch on a fixed batch (and a
 * validation batch, for over-fitting) and writes {@code explain.html} into a run directory, where a dashboard serves
 * it; the page always shows the latest epoch. The optimizer's step used to judge the learning rate is undone, so
 * training continues exactly as without the callback.
 */
public final class ExplainEachEpoch implements Callback {
    private final Module model;
    private final Dataset batch;
    private final Dataset validation;
    private final Optimizer optimizer;
    private final Path runDirectory;
    private Explanation last;

    /**
     * @param validation null: over-fitting is not judged
     * @param optimizer  null: the learning rate is not judged
     */
    public ExplainEachEpoch(Module model, Dataset batch, Dataset validation, Optimizer optimizer, Path runDirectory) {
        this.model = Objects.requireNonNull(model, "model");
        this.batch = Objects.requireNonNull(batch, "batch");
        this.validation = validation;
        this.optimizer = optimizer;
        this.runDirectory = Objects.requireNonNull(runDirectory, "runDirectory");
    }

    @Override
    public void onEpochEnd(EpochResult result) {
        Explainer ex = Explainer.of(model).title(model.getClass().getSimpleName() + " after epoch " + result.epoch() + " on " + batch.size() + " training examples").pictures(0);
        if (validation != null) ex.validation(validation);
        if (optimizer != null) ex.optimizer(optimizer);
        last = ex.on(batch);
        try {
            last.writeInto(runDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("explain: cannot write " + runDirectory.resolve("explain.html") + ": " + e.getMessage(), e);
        }
    }

    /** The latest explanation, or null before the first epoch ended. */
    public Explanation last() {
        return last;
    }
}

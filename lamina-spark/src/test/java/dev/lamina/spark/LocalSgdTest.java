package dev.lamina.spark;

import dev.lamina.data.DataLoader;
import dev.lamina.loss.CrossEntropyLoss;
import dev.lamina.train.Trainer;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Local SGD (averaging weights every K steps) against synchronous SGD on the same data: far less traffic, and its
 * accuracy cost measured on the test set.
 */
class LocalSgdTest {

    @Test
    void averagingEveryTenStepsSendsAFractionOfTheBytesAndItsAccuracyCostIsMeasured() throws Exception {
        SparkSession spark = SparkTestData.local();
        var split = SparkTestData.fashion();
        var df = SparkTestData.frame(spark, split.train(), 3200);
        SparkTrainConfig.Builder b = SparkTrainConfig.builder(ModelFactory.named("mlp")).workers(2).batchPerWorker(32).epochs(2).seed(3);
        SparkTrainResult sync = SparkTrainer.fit(df, b.build()), local = SparkTrainer.fit(df, b.averageEvery(10).build());
        double a = accuracy(sync), l = accuracy(local);
        System.out.printf("MLP, 3200 rows, 2 workers x 32, 2 epochs: test accuracy %.4f synchronous, %.4f local SGD averaging every 10 steps (%+.2f points); bytes sent by rank 0: %,d vs %,d%n",
                a, l, 100 * (l - a), sync.bytesSent()[0], local.bytesSent()[0]);
        assertEquals(100, local.steps());
        assertTrue(local.bytesSent()[0] * 5 < sync.bytesSent()[0], "local SGD sent " + local.bytesSent()[0] + " bytes, synchronous " + sync.bytesSent()[0]);
        assertTrue(l > 0.6, "local SGD test accuracy " + l);
        assertTrue(Math.abs(l - a) < 0.08, "local SGD " + l + " against synchronous " + a);
        var e = assertThrows(IllegalArgumentException.class, () -> b.averageEvery(-1).build());
        assertEquals("SparkTrainConfig: averageEvery must be >= 0 steps, got -1", e.getMessage());
    }

    static double accuracy(SparkTrainResult r) throws Exception {
        return Trainer.evaluate(r.model(), new CrossEntropyLoss(), new DataLoader(SparkTestData.fashion().test(), 500, false, false, null)).accuracy();
    }
}

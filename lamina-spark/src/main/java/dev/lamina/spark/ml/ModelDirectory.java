package dev.lamina.spark.ml;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The Lamina part of a saved Spark ML model directory (next to Spark's {@code metadata/}): {@code weights.safetensors}
 * (the state dict, PyTorch names) and {@code lamina.properties} (what rebuilds the model: its name, classes, input
 * length). Written and read through Hadoop's file system API, so the directory may be local, HDFS or object storage.
 */
final class ModelDirectory {
    private ModelDirectory() {
    }

    static final String WEIGHTS = "weights.safetensors", PROPERTIES = "lamina.properties";

    static void write(String dir, Configuration conf, byte[] weights, Properties properties) throws IOException {
        org.apache.hadoop.fs.Path d = new org.apache.hadoop.fs.Path(dir);
        FileSystem fs = d.getFileSystem(conf);
        try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(d, WEIGHTS), false)) {
            out.write(weights);
        }
        StringWriter text = new StringWriter();
        properties.store(text, "Lamina model (weights in " + WEIGHTS + ")");
        try (FSDataOutputStream out = fs.create(new org.apache.hadoop.fs.Path(d, PROPERTIES), false)) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    static byte[] weights(String dir, Configuration conf) throws IOException {
        return read(dir, WEIGHTS, conf);
    }

    static Properties properties(String dir, Configuration conf) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(read(dir, PROPERTIES, conf), StandardCharsets.UTF_8)));
        return p;
    }

    private static byte[] read(String dir, String name, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path f = new org.apache.hadoop.fs.Path(dir, name);
        FileSystem fs = f.getFileSystem(conf);
        if (!fs.exists(f)) throw new IOException(f + ": missing; not a directory written by a Lamina model's save()");
        try (FSDataInputStream in = fs.open(f)) {
            return in.readAllBytes();
        }
    }

    /** A required property, or an IOException naming the directory and the key. */
    static String require(Properties p, String key, String dir) throws IOException {
        String v = p.getProperty(key);
        if (v == null) throw new IOException(dir + "/" + PROPERTIES + ": missing '" + key + "'");
        return v;
    }
}

package dev.lamina.cli;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The dashboard in a real browser (Debian's chromium, driven by chromium-driver through Selenium): a short training
 * with --dashboard in its own JVM, the live loss curve gaining points, the layers and explain pages drawn without
 * console errors, and a reload picking the stream up again. Screenshots go to target/dashboard-screens/.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium"), DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path DATA = Path.of("..", "data", "fashion-mnist-subset");
    private static final Path SCREENS = Path.of("target", "dashboard-screens");
    /** Records every script error and console.error of a page, from before its own scripts run. */
    private static final String ERROR_HOOK = "window.__errors = [];"
            + "window.addEventListener('error', function (e) { window.__errors.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || e)); }, true);"
            + "window.addEventListener('unhandledrejection', function (e) { window.__errors.push('unhandled rejection: ' + e.reason); });"
            + "(function () { var original = console.error; console.error = function () { window.__errors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); }; })();";

    @Test
    void liveTrainingInTheBrowser() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            fail("the browser test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + DRIVER + "): run tools/setup.sh (which .ci/run does)");
        }
        Files.createDirectories(SCREENS);
        Path work = Files.createTempDirectory(Path.of("target"), "dashboard-browser-");
        Path runDir = work.resolve("run");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process training = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Xmx512m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--data", DATA.toString(), "--limit", "1500", "--epochs", "200", "--batch-size", "32", "--no-progress",
                "--dashboard=" + port, "--run-dir", runDir.toString())
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(training.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.startsWith("dashboard: ")) url.complete(line.substring("dashboard: ".length()).trim());
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new IOException("the training ended before its dashboard started"));
        });
        reader.setDaemon(true);
        reader.start();
        ChromeDriver driver = null;
        try {
            String address;
            try {
                address = url.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                synchronized (output) {
                    throw new AssertionError("no dashboard line from the training: " + e + "\n" + output, e);
                }
            }
            assertEquals("http://127.0.0.1:" + port + "/", address);
            driver = chrome(work.resolve("chromium-profile"));
            driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", ERROR_HOOK));
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(40), Duration.ofMillis(200));

            driver.get(address);
            ChromeDriver d = driver;
            wait.until(x -> points(d) > 0);
            int first = points(driver);
            wait.until(x -> points(d) > first);   // the live curve gains points while training goes on
            wait.until(x -> !d.findElements(By.cssSelector("#chart-loss .uplot")).isEmpty());
            assertTrue(driver.findElement(By.id("connection")).getText().contains("live"), driver.findElement(By.id("connection")).getText());
            noErrors(driver, "overview");

            driver.get(address + "layers");
            wait.until(x -> d.findElements(By.cssSelector("#layer-grid .layer canvas")).size() >= 3);
            wait.until(x -> !d.findElements(By.cssSelector("#chart-ratio .uplot")).isEmpty());
            // default sampling: a 784-256-128-10 MLP step is so short that statistics every 10 steps cost more than
            // the budget, so the interval is doubled, and the page says the histograms were thinned
            wait.until(x -> d.findElement(By.id("thinning-note")).getText().contains("thinned"));
            String note = driver.findElement(By.id("thinning-note")).getText();
            assertTrue(note.matches("(?s)Statistics were recorded every [0-9]+ steps.*under 5% of step time: at step [0-9]+ .*"), note);
            List<String> titles = driver.findElements(By.cssSelector("#layer-grid .layer h3")).stream().map(WebElement::getText).toList();
            assertTrue(titles.stream().anyMatch(t -> t.endsWith("(Linear)")) && titles.stream().anyMatch(t -> t.endsWith("(ReLU)")), titles.toString());
            screenshot(driver, "layers.png");
            new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("layer-view"))).selectByValue("heat");
            wait.until(x -> d.findElement(By.cssSelector("#layer-grid .layer .lo")).getText().startsWith("x: snapshot"));
            noErrors(driver, "layers");

            // the explainer writes the run's explain page after every epoch: the page shows it
            wait.until(x -> {
                d.get(address + "explain/0");
                return !d.findElements(By.id("explain-report")).isEmpty();
            });
            driver.switchTo().frame(driver.findElement(By.id("explain-report")));
            wait.until(x -> d.findElement(By.tagName("body")).getText().contains("(Linear)"));
            String report = driver.findElement(By.tagName("body")).getText();
            assertTrue(report.contains("after epoch") && report.contains("(ReLU)"), report.substring(0, Math.min(400, report.length())));
            driver.switchTo().defaultContent();
            screenshot(driver, "explain.png");
            noErrors(driver, "explain");

            driver.get(address);
            wait.until(x -> points(d) > 0);
            int beforeReload = points(driver);
            wait.until(x -> points(d) > beforeReload);
            screenshot(driver, "overview.png");
            driver.navigate().refresh();
            wait.until(x -> points(d) >= beforeReload);   // the history comes back after the reload...
            int afterReload = points(driver);
            wait.until(x -> points(d) > afterReload);     // ...and the stream goes on
            noErrors(driver, "overview after reload");
        } finally {
            if (driver != null) driver.quit();
            training.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // killed mid-training, the run directory still opens
        String records = Files.readString(runDir.resolve("records.jsonl"));
        assertTrue(records.startsWith("{\"type\":\"begin\""), records.substring(0, Math.min(200, records.length())));
    }

    private static ChromeDriver chrome(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=1400,1100");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static int points(ChromeDriver driver) {
        List<WebElement> el = driver.findElements(By.id("loss-points"));
        if (el.isEmpty()) return -1;
        String p = el.getFirst().getDomAttribute("data-points");
        return p == null ? 0 : Integer.parseInt(p);
    }

    /** Fails on a script error, a console.error or a SEVERE browser log entry (a resource that failed to load) of the page. */
    private static void noErrors(ChromeDriver driver, String page) {
        List<String> problems = new ArrayList<>();
        Object hooked = ((JavascriptExecutor) driver).executeScript("return window.__errors || ['the error hook did not run'];");
        for (Object o : (List<?>) hooked) problems.add(String.valueOf(o));
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) problems.add(e.getMessage());
        }
        assertTrue(problems.isEmpty(), page + ": " + problems);
    }

    private static void screenshot(ChromeDriver driver, String name) throws IOException {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}

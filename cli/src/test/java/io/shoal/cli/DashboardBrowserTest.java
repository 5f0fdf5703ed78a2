package io.shoal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.InstanceOfAssertFactories.LONG;
import static org.awaitility.Awaitility.await;

import io.shoal.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser: Debian's headless chromium, driven through chromedriver by
 * Selenium, opens the link {@code shoal ui} prints for a node that is fetching from a throttled
 * seeder, and must show both members and a progress bar that grows. The page's screenshot is kept
 * as {@code cli/target/dashboard.png}.
 *
 * <p>CI installs {@code chromium} and {@code chromium-driver} ({@code .ci/run}), and without them
 * this test fails; {@code -Dshoal.browser.optional=true} skips it instead, with a message.
 */
@Tag("browser")
class DashboardBrowserTest {
  /** Set to true to skip, rather than fail, where chromium or chromedriver is missing. */
  static final String OPTIONAL_PROPERTY = "shoal.browser.optional";

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** At the seeder's upload limit this takes 20 s or more to fetch: long enough to watch. */
  static final long SNAPSHOT_BYTES = 48L << 20;

  /** Growth of the progress shown that the test waits for: a few polls' worth at the limit. */
  static final long GROWTH_BYTES = 3L << 20;

  /** The seeder's upload limit ({@code --upload-limit}, a bare number: MiB/s). */
  static final int SEEDER_UPLOAD_MEGABYTES_PER_SECOND = 1;

  static final Duration STAGE_TIMEOUT = Duration.ofSeconds(60);
  static final Path SCREENSHOT = Path.of("target", "dashboard.png");

  @TempDir Path tmp;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private WebDriver browser;

  @AfterEach
  void stopAll() throws InterruptedException {
    if (browser != null) {
      browser.quit();
    }
    for (NodeProcess n : nodes) {
      n.process.destroyForcibly().waitFor();
    }
  }

  @Test
  @DisplayName(
      "the link 'shoal ui' prints opens the dashboard of a fetching node: both members shown,"
          + " the fetch's progress grows without a reload")
  void dashboard_ofFetchingNode_showsBothMembersAndGrowingProgress() throws Exception {
    requireBrowser();
    Path source = TestData.randomFile(tmp.resolve("big.bin"), 12, SNAPSHOT_BYTES);
    NodeProcess seeder =
        start(
            tmp.resolve("seeder"),
            "--no-compression",
            "--upload-limit",
            String.valueOf(SEEDER_UPLOAD_MEGABYTES_PER_SECOND));
    CliTest.Run published =
        CliTest.shoal("publish", "big", source.toString(), "--data", seeder.data.toString());
    assertThat(published.code()).as(published.err()).isZero();
    NodeProcess fetcher = start(tmp.resolve("fetcher"), "--join", seeder.peer(), "--follow", "*");
    CliTest.Run ui = CliTest.shoal("ui", "--data", fetcher.data.toString());
    assertThat(ui.code()).as(ui.err()).isZero();
    String link = ui.out().trim();
    assertThat(link).matches("http://127\\.0\\.0\\.1:\\d+/ui/login\\?token=[A-Za-z0-9_-]+");

    browser = chromium();
    browser.get(link);

    String home = link.substring(0, link.indexOf("/ui/login")) + "/";
    assertThat(browser.getCurrentUrl())
        .as("redirected to the page, the token gone")
        .isEqualTo(home);
    await()
        .atMost(STAGE_TIMEOUT)
        .ignoreExceptionsInstanceOf(StaleElementReferenceException.class)
        .untilAsserted(
            () ->
                assertThat(browser.findElements(By.cssSelector("#members tr")))
                    .as("members shown; page says: %s", connection())
                    .hasSize(2)
                    .allSatisfy(row -> assertThat(row.getText()).contains("alive")));
    AtomicLong first = new AtomicLong();
    await()
        .atMost(STAGE_TIMEOUT)
        .untilAsserted(
            () -> {
              Optional<Long> done = shownDoneBytes();
              assertThat(done).as("a transfer shown; log:%n%s", fetcher.tail()).isPresent();
              assertThat(done.get()).isPositive().isLessThan(SNAPSHOT_BYTES);
              first.set(done.get());
            });
    await()
        .atMost(STAGE_TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(shownDoneBytes())
                    .get()
                    .asInstanceOf(LONG)
                    .as("progress shown grows by %,d bytes from %,d", GROWTH_BYTES, first.get())
                    .isGreaterThanOrEqualTo(first.get() + GROWTH_BYTES));
    assertThat(shownTransfer()).contains("big@1", "MiB of 48.0 MiB", "1 peer");
    Files.createDirectories(SCREENSHOT.getParent());
    Files.copy(
        ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
        SCREENSHOT,
        StandardCopyOption.REPLACE_EXISTING);
    System.out.printf("dashboard screenshot: %s%n", SCREENSHOT.toAbsolutePath());
  }

  private NodeProcess start(Path data, String... args) throws Exception {
    NodeProcess n = NodeProcess.launch(data, args);
    nodes.add(n);
    return n.awaitUp();
  }

  /**
   * The bytes done that the progress bar of the fetch of "big" shows, if the page shows one: read
   * in one script, since the page replaces its elements at every poll.
   */
  private Optional<Long> shownDoneBytes() {
    Object value =
        ((JavascriptExecutor) browser)
            .executeScript(
                "const t = [...document.querySelectorAll('li.transfer')]"
                    + ".find(li => li.dataset.name === 'big');"
                    + " return t ? t.querySelector('progress').value : null;");
    return Optional.ofNullable(value).map(v -> ((Number) v).longValue());
  }

  /** The text the page shows for the fetch of "big". */
  private String shownTransfer() {
    return String.valueOf(
        ((JavascriptExecutor) browser)
            .executeScript(
                "const t = [...document.querySelectorAll('li.transfer')]"
                    + ".find(li => li.dataset.name === 'big');"
                    + " return t ? t.textContent : '';"));
  }

  private String connection() {
    return browser.findElement(By.id("connection")).getText();
  }

  private static WebDriver chromium() {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(CHROMIUM.toFile())
            .addArguments(
                "--headless", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1100,1300");
    return new ChromeDriver(options);
  }

  /** Fails, or with {@link #OPTIONAL_PROPERTY} skips, when chromium or chromedriver is missing. */
  private static void requireBrowser() {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
      return;
    }
    String missing =
        "the dashboard's browser test needs "
            + CHROMIUM
            + " and "
            + CHROMEDRIVER
            + " (apt-get install chromium chromium-driver)";
    if (Boolean.getBoolean(OPTIONAL_PROPERTY)) {
      Assumptions.abort("skipped: " + missing + "; -D" + OPTIONAL_PROPERTY + "=true allows that");
    }
    fail(missing + "; or pass -D" + OPTIONAL_PROPERTY + "=true to skip it");
  }
}

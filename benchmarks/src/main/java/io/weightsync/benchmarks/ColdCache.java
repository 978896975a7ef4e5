package io.weightsync.benchmarks;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cold page cache: before every invocation of a benchmark that takes this state, the mappings
 * earlier invocations left behind are released, dirty pages are written back ({@code sync}) and
 * the kernel's clean page cache is dropped ({@code echo 1 > /proc/sys/vm/drop_caches}), so the
 * invocation reads from the disk. The drop is machine-wide: it also evicts other programs' cached
 * files. Not timed (JMH excludes {@code Level.Invocation} setup from the measurement).
 *
 * <p>Why the mappings first: the kernel does not drop a page some process still maps, and a
 * {@code MappedByteBuffer} is unmapped only when the garbage collector frees it. Without a
 * collection, the mmap path's earlier mappings kept the whole checkpoint resident and its "cold"
 * reads ran at warm speed (7 GB/s against a 1.5 GB/s disk). So the drop first collects until the
 * JVM's {@code mapped} buffer pool is empty, and fails, naming the count, if it does not empty.
 *
 * <p>Needs root and a writable {@code /proc/sys/vm/drop_caches}. Without them the trial stops in
 * setup with the reason, JMH reports that benchmark as failed, and the run goes on with the next:
 * cold results are never faked with warm ones.
 */
@State(Scope.Thread)
public class ColdCache {

    static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

    @Setup(Level.Trial)
    public void check() {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("cold page cache benchmarks skipped: " + why
                    + "; run as root on a machine whose /proc/sys/vm/drop_caches is writable");
        }
    }

    @Setup(Level.Invocation)
    public void drop() throws IOException, InterruptedException {
        releaseMappings();
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        if (sync.waitFor() != 0) {
            throw new IOException("sync exited with " + sync.exitValue());
        }
        Files.writeString(DROP_CACHES, "1", StandardCharsets.US_ASCII);
    }

    /** Collects garbage until no MappedByteBuffer of this JVM is alive (at most 10 s). */
    static void releaseMappings() throws InterruptedException {
        BufferPoolMXBean mapped = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("mapped")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no 'mapped' buffer pool in this JVM"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (mapped.getCount() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(mapped.getCount() + " mappings (" + mapped.getMemoryUsed()
                        + " bytes) still alive after 10 s of collections: their pages would stay cached");
            }
            System.gc();
            Thread.sleep(5);
        }
    }

    /** Why the page cache cannot be dropped here, or null when it can. */
    static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not running as root (user " + System.getProperty("user.name") + ")";
        }
        if (!Files.isWritable(DROP_CACHES)) {
            return DROP_CACHES + " is not writable";
        }
        return null;
    }
}

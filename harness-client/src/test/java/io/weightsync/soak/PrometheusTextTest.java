package io.weightsync.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private static final String SCRAPE = """
            # HELP process_resident_memory_bytes Resident memory size in bytes.
            # TYPE process_resident_memory_bytes gauge
            process_resident_memory_bytes 1.6384E9
            process_open_fds 53.0
            jvm_memory_used_bytes{area="heap"} 2.5E7
            jvm_memory_used_bytes{area="nonheap"} 9.0E7
            harness_step_duration_seconds_bucket{le="+Inf"} 120
            harness_requests_finished_total{finished_reason="length",note="say \\"hi\\""} 7 1700000000000
            vllm:num_requests_running{model_name="Qwen/Qwen3-0.6B"} 3
            this line is not a sample
            broken_value{a="b"} twelve
            """;

    @Test
    void readsNamesLabelsAndValuesAndSkipsWhatItCannotRead() {
        PrometheusText t = PrometheusText.parse(SCRAPE);
        assertThat(t.samples()).hasSize(7);
        assertThat(t.sum("process_resident_memory_bytes")).isEqualTo(1.6384e9);
        assertThat(t.sum("jvm_memory_used_bytes", "area", "heap")).isEqualTo(2.5e7);
        assertThat(t.sum("jvm_memory_used_bytes")).as("every area").isEqualTo(1.15e8);
        assertThat(t.sum("harness_step_duration_seconds_bucket", "le", "+Inf")).isEqualTo(120);
        assertThat(t.sum("harness_requests_finished_total", "note", "say \"hi\"")).as("escaped quotes, timestamp").isEqualTo(7);
        assertThat(t.sum("vllm:num_requests_running")).as("vLLM's colon names").isEqualTo(3);
    }

    @Test
    void aMetricTheServerDoesNotExposeIsNaN() {
        PrometheusText t = PrometheusText.parse(SCRAPE);
        assertThat(t.sum("jvm_threads_current")).isNaN();
        assertThat(t.sum("jvm_memory_used_bytes", "area", "offheap")).isNaN();
        assertThat(ResourceSample.read(t)).containsEntry(Resource.RSS, 1.6384e9 / (1 << 20))
                .containsEntry(Resource.OPEN_FDS, 53.0);
        assertThat(ResourceSample.read(t).get(Resource.THREADS)).isNaN();
    }

    @Test
    void withoutMallocInUseNativeMemoryIsAnonymousResidentMemoryWhereTheServerExportsItElsePlainRss() {
        String committed = "jvm_memory_committed_bytes{area=\"heap\"} 4.0E8\n"
                + "jvm_memory_committed_bytes{area=\"nonheap\"} 1.0E8\n";
        double plain = ResourceSample.read(PrometheusText.parse(committed + "process_resident_memory_bytes 2.0E9\n"))
                .get(Resource.NATIVE);
        assertThat(plain).isEqualTo((2.0e9 - 5.0e8) / (1 << 20));
        double anonymous = ResourceSample.read(PrometheusText.parse(committed
                + "process_resident_memory_bytes 2.0E9\nharness_rss_anon_bytes 1.5E9\n")).get(Resource.NATIVE);
        assertThat(anonymous).as("file-backed pages left out").isEqualTo((1.5e9 - 5.0e8) / (1 << 20));
    }

    @Test
    void nativeMemoryIsMallocInUseWhereTheServerExportsIt() {
        double malloc = ResourceSample.read(PrometheusText.parse("jvm_memory_committed_bytes{area=\"heap\"} 4.0E8\n"
                + "process_resident_memory_bytes 2.0E9\nharness_rss_anon_bytes 1.5E9\nharness_malloc_in_use_bytes 3.0E8\n"))
                .get(Resource.NATIVE);
        assertThat(malloc).as("arenas' free pages left out").isEqualTo(3.0e8 / (1 << 20));
    }
}

// Stand-in for the interface of hadoop-core (absent from ARX mirrors): Mahout's
// OnlineLogisticRegression, used by ARX's classifier code, implements it.
// Compiled only when hadoop-core is missing; never called by the benchmark.
package org.apache.hadoop.io;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

public interface Writable {
    void write(DataOutput out) throws IOException;

    void readFields(DataInput in) throws IOException;
}

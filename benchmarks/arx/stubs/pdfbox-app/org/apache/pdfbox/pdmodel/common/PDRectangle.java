// Stand-in for a class of pdfbox-app (absent from ARX mirrors), used only by
// ARX's PDF certificates; compiled only when pdfbox-app is missing.
package org.apache.pdfbox.pdmodel.common;

public class PDRectangle {
}

fn main() {
    println!("shiftdeck");
}
